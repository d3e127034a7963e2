import { operation } from '../../shared/server/http/Operation.js';
import { createLinkBody, linkNodeParams } from '../../shared/core/api/schemas/links.js';
import { createShareLink } from '../../shared/server/services/links/createShareLink.js';

/** Create a share link to a document or folder; the token is in this answer and nowhere else. */
export const createLink = operation({
  params: linkNodeParams,
  body: createLinkBody,
  async run({ params, body, caller, signedIn, request, deps }) {
    return { status: 201, body: await createShareLink(deps, { caller, signedIn, request }, params.id, body) };
  },
});

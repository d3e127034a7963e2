import { operation } from '../../shared/http/Operation.js';
import { createLinkBody, linkNodeParams } from '../../shared/schemas/links.js';
import { createShareLink } from '../../shared/services/links/createShareLink.js';

/** Create a share link to a document or folder; the token is in this answer and nowhere else. */
export const createLink = operation({
  params: linkNodeParams,
  body: createLinkBody,
  async run({ params, body, caller, signedIn, request, deps }) {
    return { status: 201, body: await createShareLink(deps, { caller, signedIn, request }, params.id, body) };
  },
});

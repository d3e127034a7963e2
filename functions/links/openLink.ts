import { operation } from '../../shared/server/http/Operation.js';
import { openLinkBody } from '../../shared/core/api/schemas/links.js';
import { openShareLink } from '../../shared/server/services/links/openShareLink.js';

/** Open a link, signed in or not: the node, its key path from the link's wrap, and a download or a listing. */
export const openLink = operation({
  body: openLinkBody,
  async run({ body, caller, signedIn, request, deps }) {
    return { body: await openShareLink(deps, { caller, signedIn, request }, body) };
  },
});

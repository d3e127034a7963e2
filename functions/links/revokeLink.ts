import { operation } from '../../shared/server/http/Operation.js';
import { linkIdParams } from '../../shared/core/api/schemas/links.js';
import { revokeShareLink } from '../../shared/server/services/links/revokeShareLink.js';

/** Revoke a link: its creator (still able to share) or a manager of the node. */
export const revokeLink = operation({
  params: linkIdParams,
  async run({ params, caller, signedIn, request, deps }) {
    return { body: await revokeShareLink(deps, { caller, signedIn, request }, params.linkId) };
  },
});

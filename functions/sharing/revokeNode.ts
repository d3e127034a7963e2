import { resolveAccess } from '../../shared/server/access/resolveAccess.js';
import { operation } from '../../shared/server/http/Operation.js';
import { nodeIdParams, revokeNodeBody } from '../../shared/core/api/schemas/sharing.js';
import { revokeNodeGrants } from '../../shared/server/services/sharing/revokeNodeGrants.js';

/**
 * Revoke direct grants, all or none: managers up to their own level, never the owner.
 * Anyone may give up their own direct grant (leave), except the owner. On a document, the key is
 * marked due for rotation in the same write.
 */
export const revokeNode = operation({
  params: nodeIdParams,
  body: revokeNodeBody,
  audit: ({ body }) => ({ targets: { principals: body.principalIds.join(',') } }),
  async run({ params, body, caller, deps }) {
    const access = await resolveAccess(deps, caller, params.id);
    return { body: await revokeNodeGrants(deps, caller, access, body.principalIds) };
  },
});

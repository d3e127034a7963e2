import { nodeChange } from '../../shared/server/access/authorityGuards.js';
import { resolveAccess } from '../../shared/server/access/resolveAccess.js';
import { removeGrants } from '../../shared/server/data/grants.js';
import { principal } from '../../shared/server/data/keys.js';
import { Conflict, Forbidden } from '../../shared/core/errors/index.js';
import { operation } from '../../shared/server/http/Operation.js';
import { nodeIdParams, revokeNodeBody } from '../../shared/core/api/schemas/sharing.js';
import { checkGrantable } from '../../shared/server/services/grantRules.js';

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
    const { node } = access;
    const me = principal.user(caller.userId);
    const leaving = body.principalIds.length === 1 && body.principalIds[0] === me;
    if (!leaving) access.require('manage');
    const missing = body.principalIds.filter((p) => !node.acl?.[p]);
    if (missing.length > 0) {
      throw new Conflict('NOT_SHARED', `Not shared directly with: ${missing.join(', ')}. Nothing was changed.`, { principalIds: missing });
    }
    for (const p of body.principalIds) {
      const role = node.acl[p]!.role;
      if (role === 'owner') throw new Forbidden('CANNOT_REVOKE_OWNER', 'The owner keeps access: transfer ownership first.');
      if (!leaving) checkGrantable(access, role);
    }
    // A document's key is due for rotation from this write on: whoever left may have kept it.
    await removeGrants(deps.db, nodeChange(access, deps.clock()), body.principalIds, new Date(deps.clock()).toISOString(), {
      rotationDue: node.kind === 'document',
    });
    return { body: { nodeId: node.nodeId, revoked: body.principalIds } };
  },
});

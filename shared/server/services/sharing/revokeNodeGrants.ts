import { nodeChange } from '../../access/authorityGuards.js';
import type { NodeAccess } from '../../access/resolveAccess.js';
import type { Deps } from '../../config/Deps.js';
import { removeGrants } from '../../data/grants.js';
import { principal } from '../../data/keys.js';
import { Conflict, Forbidden } from '../../../core/errors/index.js';
import type { Caller } from '../../http/Operation.js';
import type { RevokeNodeResponse } from '../../../core/api/schemas/sharing.js';
import { checkGrantable } from './grantRules.js';

/**
 * Revoke direct grants, all or none: managers up to their own level, never the owner. Anyone
 * may give up their own direct grant (leave), except the owner. On a document, the key is
 * marked due for rotation in the same write.
 */
export async function revokeNodeGrants(deps: Deps, caller: Caller, access: NodeAccess, principalIds: string[]): Promise<RevokeNodeResponse> {
  const { node } = access;
  const me = principal.user(caller.userId);
  const leaving = principalIds.length === 1 && principalIds[0] === me;
  if (!leaving) access.require('manage');
  const missing = principalIds.filter((p) => !node.acl?.[p]);
  if (missing.length > 0) {
    throw new Conflict('NOT_SHARED', `Not shared directly with: ${missing.join(', ')}. Nothing was changed.`, { principalIds: missing });
  }
  for (const p of principalIds) {
    const role = node.acl[p]!.role;
    if (role === 'owner') throw new Forbidden('CANNOT_REVOKE_OWNER', 'The owner keeps access: transfer ownership first.');
    if (!leaving) checkGrantable(access, role);
  }
  // A document's key is due for rotation from this write on: whoever left may have kept it.
  await removeGrants(deps.db, nodeChange(access, deps.clock()), principalIds, new Date(deps.clock()).toISOString(), {
    rotationDue: node.kind === 'document',
  });
  return { nodeId: node.nodeId, revoked: principalIds };
}

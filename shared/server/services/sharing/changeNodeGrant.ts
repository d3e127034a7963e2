import { nodeChange } from '../../access/authorityGuards.js';
import type { NodeAccess } from '../../access/resolveAccess.js';
import type { Deps } from '../../config/Deps.js';
import { changeGrant } from '../../data/grants.js';
import { Conflict, Forbidden } from '../../../core/errors/index.js';
import type { ChangeGrantBody } from '../../../core/api/schemas/sharing.js';
import { checkExpiry, checkGrantable } from './grantRules.js';

/**
 * A direct grant's new level or expiry: a registry update, no re-encryption. The caller must be
 * able to grant both the old level and the new; the owner's level changes only by a transfer.
 */
export async function changeNodeGrant(deps: Deps, access: NodeAccess, principalId: string, body: ChangeGrantBody) {
  const current = access.node.acl?.[principalId];
  if (!current) throw new Conflict('NOT_SHARED', `Not shared directly with ${principalId}.`);
  if (current.role === 'owner') throw new Forbidden('CANNOT_REVOKE_OWNER', "The owner's level changes only by a transfer.");
  checkGrantable(access, current.role);
  checkGrantable(access, body.role);
  const now = deps.clock();
  if (body.expiresAt) checkExpiry(body.expiresAt, now);
  const entry = { role: body.role, ...(body.expiresAt ? { expiresAt: new Date(body.expiresAt).toISOString() } : {}) };
  await changeGrant(deps.db, nodeChange(access, now), principalId, entry, new Date(now).toISOString());
  return { nodeId: access.node.nodeId, principalId, ...entry };
}

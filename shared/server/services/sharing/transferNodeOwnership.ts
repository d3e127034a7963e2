import { nodeChange } from '../../access/authorityGuards.js';
import type { NodeAccess } from '../../access/resolveAccess.js';
import type { Deps } from '../../config/Deps.js';
import { transferOwnership } from '../../data/grants.js';
import { principal } from '../../data/keys.js';
import { isLive } from '../../data/nodes.js';
import { getProfile } from '../../data/users.js';
import { Unprocessable } from '../../../core/errors/index.js';
import type { Caller } from '../../http/Operation.js';

/** Ownership to a member who already holds the key (a live direct grant); the old owner becomes manager. */
export async function transferNodeOwnership(deps: Deps, caller: Caller, access: NodeAccess, newOwnerId: string) {
  if (newOwnerId === caller.userId) throw new Unprocessable('ALREADY_OWNER', 'You already own this.');
  const entry = access.node.acl?.[principal.user(newOwnerId)];
  if (!entry || !isLive(entry, deps.clock())) {
    throw new Unprocessable('NEW_OWNER_HAS_NO_KEY', 'Share it with the new owner first: the new owner must already hold the key.');
  }
  const profile = await getProfile(deps.db, newOwnerId);
  if (!profile || profile.kind === 'guest') throw new Unprocessable('GUEST_CANNOT_OWN', 'Guests cannot own documents or folders.');
  await transferOwnership(deps.db, nodeChange(access, deps.clock()), caller.userId, newOwnerId, new Date(deps.clock()).toISOString());
  return { nodeId: access.node.nodeId, ownerId: newOwnerId, previousOwner: { userId: caller.userId, role: 'manager' } };
}

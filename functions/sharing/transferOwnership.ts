import { nodeChange } from '../../shared/server/access/authorityGuards.js';
import { resolveAccess } from '../../shared/server/access/resolveAccess.js';
import { transferOwnership as writeTransfer } from '../../shared/server/data/grants.js';
import { principal } from '../../shared/server/data/keys.js';
import { isLive } from '../../shared/server/data/nodes.js';
import { getProfile } from '../../shared/server/data/users.js';
import { Unprocessable } from '../../shared/core/errors/index.js';
import { operation } from '../../shared/server/http/Operation.js';
import { nodeIdParams, transferOwnershipBody } from '../../shared/core/api/schemas/sharing.js';

/** Transfer ownership to a member who already holds the key (a live direct grant); the old owner becomes manager. */
export const transferOwnership = operation({
  params: nodeIdParams,
  body: transferOwnershipBody,
  audit: ({ body }) => ({ targets: { newOwnerId: body.newOwnerId } }),
  async run({ params, body, caller, deps }) {
    const access = await resolveAccess(deps, caller, params.id);
    access.require('transfer');
    if (body.newOwnerId === caller.userId) throw new Unprocessable('ALREADY_OWNER', 'You already own this.');
    const entry = access.node.acl?.[principal.user(body.newOwnerId)];
    if (!entry || !isLive(entry, deps.clock())) {
      throw new Unprocessable('NEW_OWNER_HAS_NO_KEY', 'Share it with the new owner first: the new owner must already hold the key.');
    }
    const profile = await getProfile(deps.db, body.newOwnerId);
    if (!profile || profile.kind === 'guest') throw new Unprocessable('GUEST_CANNOT_OWN', 'Guests cannot own documents or folders.');
    await writeTransfer(deps.db, nodeChange(access, deps.clock()), caller.userId, body.newOwnerId, new Date(deps.clock()).toISOString());
    return { body: { nodeId: access.node.nodeId, ownerId: body.newOwnerId, previousOwner: { userId: caller.userId, role: 'manager' } } };
  },
});

import { resolveAccess } from '../../shared/server/access/resolveAccess.js';
import { operation } from '../../shared/server/http/Operation.js';
import { nodeIdParams, transferOwnershipBody } from '../../shared/core/api/schemas/sharing.js';
import { transferNodeOwnership } from '../../shared/server/services/sharing/transferNodeOwnership.js';

/** Transfer ownership to a member who already holds the key (a live direct grant); the old owner becomes manager. */
export const transferOwnership = operation({
  params: nodeIdParams,
  body: transferOwnershipBody,
  audit: ({ body }) => ({ targets: { newOwnerId: body.newOwnerId } }),
  async run({ params, body, caller, deps }) {
    const access = await resolveAccess(deps, caller, params.id);
    access.require('transfer');
    return { body: await transferNodeOwnership(deps, caller, access, body.newOwnerId) };
  },
});

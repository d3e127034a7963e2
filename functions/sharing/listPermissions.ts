import { resolveAccess } from '../../shared/server/access/resolveAccess.js';
import { operation } from '../../shared/server/http/Operation.js';
import { nodeIdParams } from '../../shared/core/api/schemas/sharing.js';
import { permissionList } from '../../shared/server/services/sharing/permissionList.js';

/** Effective permissions: every principal with its level and source (direct, or inherited from which folder). */
export const listPermissions = operation({
  params: nodeIdParams,
  async run({ params, caller, deps }) {
    const access = await resolveAccess(deps, caller, params.id);
    // The list names users and groups: part of the directory, which guests do not see.
    if (caller.kind === 'guest') access.require('manage');
    return { body: permissionList(access, deps.clock()) };
  },
});

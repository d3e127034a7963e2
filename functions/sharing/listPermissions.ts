import { effectiveEntries, resolveAccess } from '../../shared/server/access/resolveAccess.js';
import { operation } from '../../shared/server/http/Operation.js';
import { nodeIdParams, type ListPermissionsResponse } from '../../shared/core/api/schemas/sharing.js';

/** Effective permissions: every principal with its level and source (direct, or inherited from which folder). */
export const listPermissions = operation({
  params: nodeIdParams,
  async run({ params, caller, deps }) {
    const access = await resolveAccess(deps, caller, params.id);
    // The list names users and groups: part of the directory, which guests do not see.
    if (caller.kind === 'guest') access.require('manage');
    const entries = effectiveEntries(access.scope, deps.clock()).map((e) => ({
      principalId: e.principalId,
      principalKind: e.principalId.startsWith('g:') ? ('group' as const) : ('user' as const),
      role: e.role,
      source: e.inherited ? ('inherited' as const) : ('direct' as const),
      ...(e.inherited ? { inheritedFrom: e.fromNodeId } : {}),
      ...(e.expiresAt ? { expiresAt: e.expiresAt } : {}),
    }));
    const body: ListPermissionsResponse = { nodeId: access.node.nodeId, ownerId: access.node.ownerId, limited: access.node.limited === true, entries };
    return { body };
  },
});

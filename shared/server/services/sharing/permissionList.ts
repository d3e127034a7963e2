import { effectiveEntries, type NodeAccess } from '../../access/resolveAccess.js';
import type { ListPermissionsResponse } from '../../../core/api/schemas/sharing.js';

/** Effective permissions at `nowMs`: every principal with its level and source (direct, or inherited from which folder). */
export function permissionList(access: NodeAccess, nowMs: number): ListPermissionsResponse {
  const entries = effectiveEntries(access.scope, nowMs).map((e) => ({
    principalId: e.principalId,
    principalKind: e.principalId.startsWith('g:') ? ('group' as const) : ('user' as const),
    role: e.role,
    source: e.inherited ? ('inherited' as const) : ('direct' as const),
    ...(e.inherited ? { inheritedFrom: e.fromNodeId } : {}),
    ...(e.expiresAt ? { expiresAt: e.expiresAt } : {}),
  }));
  return { nodeId: access.node.nodeId, ownerId: access.node.ownerId, limited: access.node.limited === true, entries };
}

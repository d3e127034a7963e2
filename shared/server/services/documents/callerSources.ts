import { isLive, type NodeMeta } from '../../data/nodes.js';
import { inherited } from '../../../core/permissions/levels.js';
import type { AccessSourceView } from '../../../core/api/schemas/documents.js';

/**
 * Every way the caller reaches a node: each of its principals (in the order given) with a live
 * entry on the node, then on each ancestor of the scope (nearest first), with the level that
 * entry gives here (an inherited owner counts as manager, as in the access check).
 */
export function callerSources(scope: NodeMeta[], principals: readonly string[], nowMs: number): AccessSourceView[] {
  const sources: AccessSourceView[] = [];
  scope.forEach((node, i) => {
    for (const principalId of principals) {
      const entry = node.acl?.[principalId];
      if (!entry || !isLive(entry, nowMs)) continue;
      sources.push({
        principalId,
        role: i === 0 ? entry.role : inherited(entry.role),
        ...(i > 0 ? { folderId: node.nodeId } : {}),
        ...(entry.expiresAt ? { expiresAt: entry.expiresAt } : {}),
      });
    }
  });
  return sources;
}

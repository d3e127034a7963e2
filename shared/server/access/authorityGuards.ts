import { keys, principal } from '../data/keys.js';
import type { NodeChange } from '../data/grants.js';
import type { Guard } from '../data/guards.js';
import { isLive } from '../data/nodes.js';
import { higher, inherited } from '../../core/permissions/levels.js';
import type { NodeAccess } from './resolveAccess.js';

/**
 * What a write must re-check so the caller's authority still holds when it commits: the node's
 * rev, the ancestor whose ACL gave the caller its level, and the caller's principal set when the
 * level came through a group. A revoke or group removal racing the write makes it fail, never succeed.
 */
export function nodeChange(access: NodeAccess, now: number): NodeChange {
  const guards: Guard[] = [];
  const me = principal.user(access.caller.userId);
  let source: { index: number; principalId: string } | undefined;
  let best: ReturnType<typeof higher>;
  access.scope.forEach((n, index) => {
    for (const p of access.principals) {
      const entry = n.acl?.[p];
      if (!entry || !isLive(entry, now)) continue;
      const role = index === 0 ? entry.role : inherited(entry.role);
      if (higher(best, role) !== best || best === undefined) {
        best = role;
        source = { index, principalId: p };
      }
    }
  });
  if (source && source.index > 0) {
    const holder = access.scope[source.index]!;
    guards.push({ key: keys.nodeMeta(holder.nodeId), rev: holder.rev });
  }
  if (source && source.principalId !== me && access.principalSetRev !== undefined) {
    guards.push({ key: keys.principalSet(access.caller.userId), rev: access.principalSetRev });
  }
  return { node: { nodeId: access.node.nodeId, rev: access.node.rev }, guards };
}

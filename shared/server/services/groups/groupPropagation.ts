import type { Database } from '../../data/Database.js';
import { clearPropagationPending, getGroupMetas, listMembers } from '../../data/groups.js';
import type { GroupMeta } from '../../data/groupItems.js';
import { principal } from '../../data/keys.js';
import { recomputePrincipalSet, recomputeSupergroups } from '../../data/principalSets.js';

/** Principal sets recomputed at once. */
const USER_CONCURRENCY = 8;

/**
 * After a nested group's supergroups changed (it joined or left a group), bring everything
 * below it up to date (docs/permissions.md, "Groups"). A bounded procedure:
 * 1. discover the groups and users below `rootId` with consistent queries of member items
 *    (one query per group below; each group and user is visited once);
 * 2. recompute each group's supergroups from its direct memberships, parents before children
 *    (topological order, so each reads its parents' fresh maps);
 * 3. recompute each user's principal set from its direct memberships.
 * Every write is conditioned on the `rev` it was computed from and retried, so concurrent
 * changes compose. Idempotent: the META keeps `propagationPending` until this finishes, and the
 * next change to the group resumes it (`resumePropagation`).
 * Cost: one query per group below, and per principal below one gsi1 query, one or two BatchGets
 * and at most one write.
 */
export async function propagateBelow(db: Database, rootId: string): Promise<void> {
  const children = new Map<string, string[]>();
  const users = new Set<string>();
  const seen = new Set([rootId]);
  const queue = [rootId];
  while (queue.length > 0) {
    const g = queue.shift()!;
    const kids: string[] = [];
    for (const m of await listMembers(db, g)) {
      const userId = principal.userIdOf(m.principalId);
      const groupId = principal.groupIdOf(m.principalId);
      if (userId) users.add(userId);
      if (groupId) {
        kids.push(groupId);
        if (!seen.has(groupId)) {
          seen.add(groupId);
          queue.push(groupId);
        }
      }
    }
    children.set(g, kids);
  }

  for (const g of topologicalOrder(rootId, seen, children)) {
    if (g !== rootId) await recomputeSupergroups(db, g);
  }
  const ids = [...users].sort();
  for (let i = 0; i < ids.length; i += USER_CONCURRENCY) {
    await Promise.all(ids.slice(i, i + USER_CONCURRENCY).map((u) => recomputePrincipalSet(db, u)));
  }

  const root = (await getGroupMetas(db, [rootId])).get(rootId);
  if (root?.propagationPending) await clearPropagationPending(db, rootId, root.rev);
}

/** Finishes a propagation an earlier request left unfinished (it crashed or timed out). */
export async function resumePropagation(db: Database, metas: readonly (GroupMeta | undefined)[]): Promise<void> {
  for (const meta of metas) if (meta?.propagationPending) await propagateBelow(db, meta.groupId);
}

/** Kahn's algorithm over the groups below the root; anything left over (never: cycles are refused) goes last. */
function topologicalOrder(rootId: string, nodes: Set<string>, children: Map<string, string[]>): string[] {
  const indegree = new Map([...nodes].map((g) => [g, 0]));
  for (const kids of children.values()) for (const k of kids) indegree.set(k, (indegree.get(k) ?? 0) + 1);
  const order: string[] = [];
  const ready = [rootId];
  while (ready.length > 0) {
    const g = ready.shift()!;
    order.push(g);
    for (const k of children.get(g) ?? []) {
      const left = indegree.get(k)! - 1;
      indegree.set(k, left);
      if (left === 0) ready.push(k);
    }
  }
  for (const g of nodes) if (!order.includes(g)) order.push(g);
  return order;
}

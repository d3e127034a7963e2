import { concurrentUpdate } from './guards.js';
import { batchGetAll, queryAll } from './batchOperations.js';
import type { Database } from './Database.js';
import { atRev, type Condition, isNew, type PutItem, putItem, type UpdateItem, updateItem } from './itemBuilders.js';
import { sendIfHolds } from './sendGuarded.js';
import type { GroupMeta } from './groupItems.js';
import { indexKeys, keys, prefixes, principal } from './keys.js';

/**
 * Principal sets (docs/permissions.md, "DynamoDB items"): `USER#<id>` / `PRINCIPALS` holds
 * `groups: { [groupId]: via }`, every group the user is in, transitively, where `via` is the
 * member principal of that group on one path from the user (`u:<id>` for a direct membership).
 * A group's META holds the same for groups: `supergroups: { [groupId]: via }`.
 *
 * The source of truth is the member items (`GROUP#<g>` / `MEMBER#<p>`); these maps are derived
 * from them and written in the same transaction as the membership change (for the principals
 * it names directly), then propagated below a nested group (services/groups/groupPropagation.ts).
 */
export interface PrincipalSetItem {
  userId: string;
  groups: Record<string, string>;
  rev: number;
}

/** A derived map and the `rev` it was computed from (0: the item does not exist yet). */
export interface ComputedSet {
  groups: Record<string, string>;
  rev: number;
}

/** Attempts of a recompute before giving up with CONCURRENT_UPDATE. */
const RECOMPUTE_ATTEMPTS = 5;

/** Many principal sets, strongly consistent (authorization reads them this way too). */
export async function getPrincipalSets(db: Database, userIds: string[]): Promise<Map<string, PrincipalSetItem>> {
  const items = await batchGetAll(db, [...new Set(userIds)].map((id) => keys.principalSet(id)), true);
  return new Map(items.map((item) => [item.userId as string, toSet(item)]));
}

/** The transaction item that replaces a user's set; guard: nobody changed it since `rev` was read. */
export function putPrincipalSetItem(db: Database, userId: string, computed: ComputedSet): PutItem {
  return putItem(db, { ...keys.principalSet(userId), type: 'principals', userId, groups: computed.groups, rev: computed.rev + 1 }, { condition: revCondition(computed.rev) });
}

/** The transaction item that replaces a group's supergroups; guard: its META is still at `rev`. */
export function setSupergroupsItem(db: Database, groupId: string, computed: ComputedSet, propagationPending: boolean): UpdateItem {
  return updateItem<GroupMeta>(
    db,
    keys.groupMeta(groupId),
    { set: { supergroups: computed.groups, rev: computed.rev + 1, propagationPending: propagationPending || undefined } },
    { condition: atRev(computed.rev) },
  );
}

/**
 * Every group above a set of direct parents, with a `via` for each: direct parents get
 * `memberId`, the others the `via` recorded in the metas on the way up. Walks the metas'
 * `supergroups` to a fixpoint with consistent reads, so a map that a propagation has not
 * reached yet cannot hide an ancestor (each direct parent is always in its child's map,
 * because the membership and the child's map are written in one transaction).
 * Returns the ancestors' metas too (their `rev` guards writes that depend on them).
 */
export async function closureAbove(
  db: Database,
  memberId: string,
  directParents: readonly string[],
): Promise<{ groups: Record<string, string>; metas: Map<string, GroupMeta> }> {
  const groups: Record<string, string> = {};
  const metas = new Map<string, GroupMeta>();
  for (const g of [...directParents].sort()) groups[g] = memberId;
  let frontier = [...directParents];
  while (frontier.length > 0) {
    const fetched = await batchGetAll(db, frontier.map((g) => keys.groupMeta(g)), true);
    const next: string[] = [];
    for (const item of fetched.map((i) => i as unknown as GroupMeta).sort((a, b) => a.groupId.localeCompare(b.groupId))) {
      metas.set(item.groupId, item);
      for (const [s, via] of Object.entries(item.supergroups ?? {}).sort(([a], [b]) => a.localeCompare(b))) {
        if (groups[s] === undefined) {
          groups[s] = via;
          next.push(s);
        }
      }
    }
    frontier = next.filter((g) => !metas.has(g));
  }
  // A group whose META is gone is not a path to anything.
  for (const g of Object.keys(groups)) if (!metas.has(g)) delete groups[g];
  return { groups, metas };
}

/**
 * The groups `principalId` is a direct member of: candidates from gsi1 (`PRINCIPAL#<p>` /
 * `MEMBER#`, eventually consistent) plus `hints` (direct entries of the stored map), each
 * confirmed by a strongly consistent read of its member item. A stale index can therefore
 * neither add a membership that was removed nor drop one that the stored map records.
 */
export async function directGroupsOf(
  db: Database,
  principalId: string,
  hints: readonly string[],
  exclude: ReadonlySet<string> = new Set(),
): Promise<string[]> {
  const indexed = await queryAll(db, {
    IndexName: 'gsi1',
    KeyConditionExpression: 'gsi1pk = :p AND begins_with(gsi1sk, :m)',
    ExpressionAttributeValues: { ':p': indexKeys.principalPartition(principalId), ':m': prefixes.member },
  });
  const candidates = new Set([...indexed.map((i) => i.groupId as string), ...hints]);
  for (const g of exclude) candidates.delete(g);
  if (candidates.size === 0) return [];
  const confirmed = await batchGetAll(db, [...candidates].map((g) => keys.groupMember(g, principalId)), true);
  return confirmed.map((i) => i.groupId as string).sort();
}

/** A user's set recomputed from its direct memberships (optionally as if it had left `exclude`). */
export async function computePrincipalSet(
  db: Database,
  userId: string,
  current: PrincipalSetItem | undefined,
  exclude: ReadonlySet<string> = new Set(),
): Promise<ComputedSet> {
  const me = principal.user(userId);
  const hints = Object.entries(current?.groups ?? {}).filter(([, via]) => via === me).map(([g]) => g);
  const direct = await directGroupsOf(db, me, hints, exclude);
  const { groups } = await closureAbove(db, me, direct);
  return { groups, rev: current?.rev ?? 0 };
}

/** A group's supergroups recomputed from its direct memberships (optionally as if it had left `exclude`). */
export async function computeSupergroups(db: Database, meta: GroupMeta, exclude: ReadonlySet<string> = new Set()): Promise<ComputedSet> {
  const me = principal.group(meta.groupId);
  const hints = Object.entries(meta.supergroups ?? {}).filter(([, via]) => via === me).map(([g]) => g);
  const direct = await directGroupsOf(db, me, hints, exclude);
  const { groups } = await closureAbove(db, me, direct);
  delete groups[meta.groupId]; // never its own supergroup (cycles are refused; this is a belt to those braces)
  return { groups, rev: meta.rev };
}

/**
 * Recompute a user's principal set from its direct memberships and store it if it changed.
 * Guard: the stored set's `rev` (retried on a concurrent change, then CONCURRENT_UPDATE).
 */
export async function recomputePrincipalSet(db: Database, userId: string): Promise<void> {
  for (let attempt = 0; attempt < RECOMPUTE_ATTEMPTS; attempt++) {
    const current = (await getPrincipalSets(db, [userId])).get(userId);
    const computed = await computePrincipalSet(db, userId, current);
    if (current && sameMap(current.groups, computed.groups)) return;
    if (!current && Object.keys(computed.groups).length === 0) return;
    const update = updateItem<PrincipalSetItem & { type: 'principals' }>(
      db,
      keys.principalSet(userId),
      { set: { type: 'principals', userId, groups: computed.groups, rev: computed.rev + 1 } },
      { condition: revCondition(computed.rev) },
    );
    // A lost race: read again and recompute.
    if (await sendIfHolds(db, update)) return;
  }
  throw concurrentUpdate();
}

/**
 * Recompute a group's supergroups from its direct memberships and store them if they
 * changed. Guard: the META's `rev`. Returns whether it changed (its members then need it too).
 */
export async function recomputeSupergroups(db: Database, groupId: string): Promise<boolean> {
  for (let attempt = 0; attempt < RECOMPUTE_ATTEMPTS; attempt++) {
    const meta = (await batchGetAll(db, [keys.groupMeta(groupId)], true))[0] as GroupMeta | undefined;
    if (!meta) return false;
    const computed = await computeSupergroups(db, meta);
    if (sameMap(meta.supergroups ?? {}, computed.groups)) return false;
    if (await sendIfHolds(db, setSupergroupsItem(db, groupId, computed, false))) return true;
  }
  throw concurrentUpdate();
}

export function sameMap(a: Record<string, string>, b: Record<string, string>): boolean {
  const ka = Object.keys(a);
  return ka.length === Object.keys(b).length && ka.every((k) => a[k] === b[k]);
}

/** Guard of a derived set: still at the `rev` it was computed from (0: still absent). */
function revCondition(rev: number): Condition {
  return rev === 0 ? isNew : atRev(rev);
}

function toSet(item: Record<string, unknown>): PrincipalSetItem {
  return { userId: item.userId as string, groups: (item.groups as Record<string, string>) ?? {}, rev: (item.rev as number) ?? 0 };
}

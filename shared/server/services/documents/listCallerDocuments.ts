import type { Deps } from '../../config/Deps.js';
import { principalsOf, resolveManyAs } from '../../access/resolveAccess.js';
import { listGrantsOfPrincipal } from '../../data/documents.js';
import { principal } from '../../data/keys.js';
import { getPrincipalSets } from '../../data/principalSets.js';
import type { Caller } from '../../http/Operation.js';
import type { ListDocumentsResponse } from '../../../core/api/schemas/documents.js';
import { callerSources } from './callerSources.js';
import { documentSummary } from './documentSummary.js';
import { compareListPositions, decodeListCursor, encodeListCursor } from './listCursor.js';

/** gsi1 queries in flight at once (one per principal): 101 principals take 5 rounds of them. */
export const PRINCIPAL_QUERIES_AT_ONCE = 25;

/**
 * "Mine and shared with me", one page (docs/design.md, "Shared with me"): what is granted to the
 * caller or to any group the caller is in (nested too), merged in grant order.
 * 1. The caller's principal set, strongly consistent (as every access check reads it): a removed
 *    member stops seeing the group's grants at once.
 * 2. One gsi1 query per principal from the cursor's position on (`limit + 1`: the start is
 *    inclusive), at most PRINCIPAL_QUERIES_AT_ONCE at a time; merged, the first `limit` are exact
 *    (a partition cut short returned at least `limit` grants after the position).
 * 3. The batch access check of those nodes (their metas, then their ancestors): the level is the
 *    effective one, a node under a deleted folder or an expired grant drops out.
 * A node reached several ways is given once, at the grant of its first principal holding a live
 * entry on it (the caller, then groups by id), with its strongest level and every source; its other
 * grants are skipped, so a page may hold fewer than `limit` entries: only a missing cursor ends it.
 */
export async function listCallerDocuments(deps: Deps, caller: Caller, limit: number, cursor: string | undefined): Promise<ListDocumentsResponse> {
  const after = cursor ? decodeListCursor(cursor, caller.userId) : undefined;
  const set = (await getPrincipalSets(deps.db, [caller.userId])).get(caller.userId);
  const principals = principalsOf(caller.userId, set);
  const me = principal.user(caller.userId);
  const order = [me, ...[...principals].filter((p) => p !== me).sort()];
  const pages = await inRounds(order, PRINCIPAL_QUERIES_AT_ONCE, (p) => listGrantsOfPrincipal(deps.db, p, limit + 1, after?.sk));
  const merged = pages
    .flatMap((page) => page.grants.map((grant) => ({ grant, sk: grant.gsi1sk, p: grant.principalId })))
    .filter((c) => !after || compareListPositions(c, after) > 0)
    .sort(compareListPositions);
  const taken = merged.slice(0, limit);
  const more = merged.length > limit || pages.some((page) => page.more);
  const access = await resolveManyAs(deps, caller, principals, taken.map((c) => c.grant.nodeId));
  const now = deps.clock();
  const documents = taken.flatMap(({ grant, p }) => {
    const reached = access.get(grant.nodeId);
    if (!reached) return [];
    const sources = callerSources(reached.scope, order, now);
    if (sources.find((s) => s.folderId === undefined)?.principalId !== p) return [];
    return [{ ...documentSummary(reached.node, reached.role, grant), sources }];
  });
  const last = taken.at(-1);
  return { documents, ...(more && last ? { cursor: encodeListCursor({ u: caller.userId, sk: last.sk, p: last.p }) } : {}) };
}

/** `task` over every item, `size` at a time (each round waits for the slowest of its requests). */
async function inRounds<T, R>(items: readonly T[], size: number, task: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = [];
  for (let i = 0; i < items.length; i += size) results.push(...(await Promise.all(items.slice(i, i + size).map(task))));
  return results;
}

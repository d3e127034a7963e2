import type { Deps } from '../../config/Deps.js';
import type { GroupMeta } from '../../data/groupItems.js';
import { listGroupGrants } from '../../data/groups.js';
import type { ListGroupGrantsResponse } from '../../../core/api/schemas/groups.js';
import { decodeGroupCursor, encodeCursor } from '../cursor.js';

/** One page of the grants made to a group; `stale`: only those wrapped for an older group key. */
export async function listGrantsToGroup(
  deps: Deps,
  meta: GroupMeta,
  query: { stale?: boolean | undefined; limit: number; cursor?: string | undefined },
): Promise<ListGroupGrantsResponse> {
  const page = await listGroupGrants(deps.db, meta.groupId, {
    ...(query.stale ? { staleBelow: meta.keyGeneration } : {}),
    limit: query.limit,
    ...(query.cursor ? { startKey: decodeGroupCursor(query.cursor, meta.groupId) } : {}),
  });
  return {
    groupId: meta.groupId,
    keyGeneration: meta.keyGeneration,
    grants: page.grants,
    ...(page.lastKey ? { cursor: encodeCursor(page.lastKey) } : {}),
  };
}

import { listGroupGrants as listGrants } from '../../shared/server/data/groups.js';
import { operation } from '../../shared/server/http/Operation.js';
import { groupIdParams, listGroupGrantsQuery, type ListGroupGrantsResponse } from '../../shared/core/api/schemas/groups.js';
import { requireGroupMember } from '../../shared/server/services/groupsAccess.js';
import { decodeGroupCursor, encodeCursor } from '../../shared/server/services/cursor.js';

/** Grants made to the group (members only), one page; `stale=1`: only those wrapped for an older group key. */
export const listGroupGrants = operation({
  params: groupIdParams,
  query: listGroupGrantsQuery,
  async run({ params, query, caller, deps }) {
    const { meta } = await requireGroupMember(deps.db, params.id, caller);
    const page = await listGrants(deps.db, params.id, {
      ...(query.stale ? { staleBelow: meta.keyGeneration } : {}),
      limit: query.limit,
      ...(query.cursor ? { startKey: decodeGroupCursor(query.cursor, params.id) } : {}),
    });
    const body: ListGroupGrantsResponse = {
      groupId: params.id,
      keyGeneration: meta.keyGeneration,
      grants: page.grants,
      ...(page.lastKey ? { cursor: encodeCursor(page.lastKey) } : {}),
    };
    return { body };
  },
});

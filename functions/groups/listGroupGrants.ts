import { operation } from '../../shared/server/http/Operation.js';
import { groupIdParams, listGroupGrantsQuery } from '../../shared/core/api/schemas/groups.js';
import { requireGroupMember } from '../../shared/server/services/groups/groupStanding.js';
import { listGrantsToGroup } from '../../shared/server/services/groups/listGrantsToGroup.js';

/** Grants made to the group (members only), one page; `stale=1`: only those wrapped for an older group key. */
export const listGroupGrants = operation({
  params: groupIdParams,
  query: listGroupGrantsQuery,
  async run({ params, query, caller, deps }) {
    const { meta } = await requireGroupMember(deps.db, params.id, caller);
    return { body: await listGrantsToGroup(deps, meta, query) };
  },
});

import { listMembers } from '../../shared/server/data/groups.js';
import { operation } from '../../shared/server/http/Operation.js';
import { groupIdParams } from '../../shared/core/api/schemas/groups.js';
import { groupNotFound, groupStanding } from '../../shared/server/services/groups/groupStanding.js';
import { groupView } from '../../shared/server/services/groups/groupView.js';

/**
 * A group's public face for any member of the directory (to nest it, or wrap for it);
 * its members only for its own members. Guests see only groups they are in.
 */
export const getGroup = operation({
  params: groupIdParams,
  async run({ params, caller, deps }) {
    const { meta, via, own, admin } = await groupStanding(deps.db, params.id, caller);
    if (!via && caller.kind === 'guest') throw groupNotFound();
    const members = via ? await listMembers(deps.db, params.id) : undefined;
    return { body: groupView(meta, via ? { via, ...(own ? { role: own.role } : {}), admin } : undefined, members) };
  },
});

import { operation } from '../../shared/server/http/Operation.js';
import { groupIdParams, rewrapGrantsBody } from '../../shared/core/api/schemas/groups.js';
import { requireGroupMember } from '../../shared/server/services/groups/groupStanding.js';
import { rewrapGrantsForGroup } from '../../shared/server/services/groups/rewrapGrantsForGroup.js';

/**
 * Store node keys re-wrapped for the group's current key (members only). Each grant is its own
 * conditional write (a document's with `rotationDue` on the document): one re-wrapped concurrently
 * by someone else is reported as skipped.
 */
export const rewrapGroupGrants = operation({
  params: groupIdParams,
  body: rewrapGrantsBody,
  async run({ params, body, caller, deps }) {
    const { meta } = await requireGroupMember(deps.db, params.id, caller);
    return { body: await rewrapGrantsForGroup(deps, meta, body) };
  },
});

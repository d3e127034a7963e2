import { operation } from '../../shared/server/http/Operation.js';
import { groupIdParams, removeMembersBody } from '../../shared/core/api/schemas/groups.js';
import { removeGroupMembers } from '../../shared/server/services/groups/groupMembership.js';

/** Remove members (admins; any member may leave) and rotate the group key in the same request. */
export const removeMembers = operation({
  params: groupIdParams,
  body: removeMembersBody,
  audit: ({ body }) => ({ targets: { principals: body.principalIds.join(',') } }),
  async run({ params, body, caller, deps }) {
    return { body: await removeGroupMembers(deps, caller, params.id, body) };
  },
});

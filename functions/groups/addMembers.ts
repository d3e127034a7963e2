import { operation } from '../../shared/server/http/Operation.js';
import { addMembersBody, groupIdParams } from '../../shared/core/api/schemas/groups.js';
import { addGroupMembers } from '../../shared/server/services/groups/groupMembership.js';

/** Add users and nested groups (admins only), each with the group secret wrapped for its current key. */
export const addMembers = operation({
  params: groupIdParams,
  body: addMembersBody,
  audit: ({ body }) => ({ targets: { principals: body.members.map((m) => `${m.principalId}:${m.role}`).join(',') } }),
  async run({ params, body, caller, deps }) {
    return { body: await addGroupMembers(deps, caller, params.id, body.members) };
  },
});

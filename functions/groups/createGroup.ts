import { operation } from '../../shared/server/http/Operation.js';
import { createGroupBody } from '../../shared/core/api/schemas/groups.js';
import { createGroupWithAdmin } from '../../shared/server/services/groups/createGroupWithAdmin.js';

/** Create a group: the META, the creator as its first admin and the creator's principal set, in one transaction. */
export const createGroup = operation({
  body: createGroupBody,
  audit: ({ body }) => ({ resource: { kind: 'group', id: body.groupId } }),
  async run({ body, caller, deps }) {
    return { status: 201, body: await createGroupWithAdmin(deps, caller, body) };
  },
});

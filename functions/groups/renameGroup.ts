import { renameGroup as rename } from '../../shared/server/data/groups.js';
import { operation } from '../../shared/server/http/Operation.js';
import { groupIdParams, renameGroupBody } from '../../shared/core/api/schemas/groups.js';
import { requireGroupAdmin } from '../../shared/server/services/groups/groupStanding.js';

/** Rename (admins only); the name is plaintext the server sees. */
export const renameGroup = operation({
  params: groupIdParams,
  body: renameGroupBody,
  async run({ params, body, caller, deps }) {
    const { meta } = await requireGroupAdmin(deps.db, params.id, caller);
    await rename(deps.db, params.id, body.name, meta.rev);
    return { body: { groupId: params.id, name: body.name } };
  },
});

import { operation } from '../../shared/server/http/Operation.js';
import { groupKeyring } from '../../shared/server/services/groups/groupKeyring.js';

/** The caller's groups, transitively, with what its client needs to open each group's private key. */
export const listMyGroups = operation({
  async run({ caller, deps }) {
    return { body: { groups: await groupKeyring(deps.db, caller.userId) } };
  },
});

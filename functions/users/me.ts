import { getProfile } from '../../shared/server/data/users.js';
import { Unauthorized } from '../../shared/core/errors/index.js';
import { operation } from '../../shared/server/http/Operation.js';

/** The caller's own profile. */
export const me = operation({
  async run({ caller, deps }) {
    const profile = await getProfile(deps.db, caller.userId);
    if (!profile) throw new Unauthorized('UNKNOWN_USER', 'This account no longer exists: log in again.');
    return { body: profile };
  },
});

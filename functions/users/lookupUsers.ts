import { Forbidden } from '../../shared/core/errors/index.js';
import { operation } from '../../shared/server/http/Operation.js';
import { lookupUsersQuery } from '../../shared/core/api/schemas/users.js';
import { lookUpProfiles } from '../../shared/server/services/users/lookUpProfiles.js';

/** Public profiles, public keys and fingerprints by id; unknown ids are listed. Members only: guests never browse the directory. */
export const lookupUsers = operation({
  query: lookupUsersQuery,
  async run({ query, caller, deps }) {
    if (caller.kind === 'guest') throw new Forbidden('GUEST_FORBIDDEN', 'Guests cannot look up the user directory.');
    return { body: await lookUpProfiles(deps, query.ids) };
  },
});

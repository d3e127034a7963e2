import { getProfiles } from '../../shared/server/data/users.js';
import { Forbidden } from '../../shared/core/errors/index.js';
import { operation } from '../../shared/server/http/Operation.js';
import { lookupUsersQuery } from '../../shared/core/api/schemas/users.js';

/** Public profiles, public keys and fingerprints by id; unknown ids are listed. Members only: guests never browse the directory. */
export const lookupUsers = operation({
  query: lookupUsersQuery,
  async run({ query, caller, deps }) {
    if (caller.kind === 'guest') throw new Forbidden('GUEST_FORBIDDEN', 'Guests cannot look up the user directory.');
    const found = await getProfiles(deps.db, query.ids);
    const users = [...found.values()].map(({ userId, name, designation, kind, publicKey, fingerprint }) => ({
      userId,
      name,
      ...(designation ? { designation } : {}),
      kind,
      publicKey,
      fingerprint,
    }));
    return { body: { users, unknownUserIds: query.ids.filter((id) => !found.has(id)) } };
  },
});

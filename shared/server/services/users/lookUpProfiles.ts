import type { Deps } from '../../config/Deps.js';
import { getProfiles } from '../../data/users.js';
import type { LookupUsersResponse } from '../../../core/api/schemas/users.js';

/** Public profiles, public keys and fingerprints by id (never an email); unknown ids are listed. */
export async function lookUpProfiles(deps: Deps, ids: string[]): Promise<LookupUsersResponse> {
  const found = await getProfiles(deps.db, ids);
  const users = [...found.values()].map(({ userId, name, designation, kind, publicKey, fingerprint }) => ({
    userId,
    name,
    ...(designation ? { designation } : {}),
    kind,
    publicKey,
    fingerprint,
  }));
  return { users, unknownUserIds: ids.filter((id) => !found.has(id)) };
}

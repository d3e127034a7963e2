import type { Deps } from '../config/Deps.js';
import { getProfiles } from '../data/users.js';
import { Conflict, Unprocessable, ValidationFailed } from '../errors/index.js';
import type { GrantInput } from '../schemas/documents.js';

/**
 * Checks the recipients of wrapped keys before anything is written: no duplicates,
 * every user exists (unknown ones are listed), and every key was wrapped for the
 * user's current public key (a stale fingerprint is refused, so a key is never
 * stored that its recipient cannot unwrap).
 */
export async function checkRecipients(deps: Deps, grants: GrantInput[]): Promise<void> {
  const ids = grants.map((g) => g.userId);
  const duplicates = ids.filter((id, i) => ids.indexOf(id) !== i);
  if (duplicates.length > 0) {
    throw new ValidationFailed(`Each user may appear once: ${[...new Set(duplicates)].join(', ')}.`, { userIds: duplicates });
  }
  const profiles = await getProfiles(deps.db, ids);
  const unknown = ids.filter((id) => !profiles.has(id));
  if (unknown.length > 0) {
    throw new Unprocessable('UNKNOWN_USERS', `No such users: ${unknown.join(', ')}. Nothing was shared.`, { userIds: unknown });
  }
  const stale = grants.filter((g) => profiles.get(g.userId)?.fingerprint !== g.fingerprint).map((g) => g.userId);
  if (stale.length > 0) {
    throw new Conflict('STALE_PUBLIC_KEY', `The public key of ${stale.join(', ')} is not the one you wrapped for: fetch it again.`, {
      userIds: stale,
    });
  }
}

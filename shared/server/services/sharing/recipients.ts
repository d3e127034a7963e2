import type { Deps } from '../../config/Deps.js';
import { getGroupMetas } from '../../data/groups.js';
import { principal } from '../../data/keys.js';
import { getProfiles } from '../../data/users.js';
import { Conflict, Unprocessable, ValidationFailed } from '../../../core/errors/index.js';
import type { GrantInput } from '../../../core/api/schemas/documents.js';

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

export interface CheckedPrincipal {
  principalId: string;
  kind: 'user' | 'group';
  /** Groups: the key generation the key was wrapped for. */
  keyGeneration?: number;
}

/**
 * The same checks for users and groups as principals (`u:<id>`, `g:<id>`): no duplicates,
 * all exist, every key wrapped for the principal's current public key.
 */
export async function checkPrincipals(
  deps: Deps,
  grants: { principalId: string; fingerprint: string }[],
): Promise<Map<string, CheckedPrincipal>> {
  const ids = grants.map((g) => g.principalId);
  const duplicates = ids.filter((id, i) => ids.indexOf(id) !== i);
  if (duplicates.length > 0) {
    throw new ValidationFailed(`Each principal may appear once: ${[...new Set(duplicates)].join(', ')}.`, { principalIds: duplicates });
  }
  const userIds = ids.flatMap((p) => principal.userIdOf(p) ?? []);
  const groupIds = ids.flatMap((p) => principal.groupIdOf(p) ?? []);
  const [profiles, groups] = await Promise.all([getProfiles(deps.db, userIds), getGroupMetas(deps.db, groupIds)]);
  const current = (p: string): { fingerprint: string; keyGeneration?: number } | undefined => {
    const u = principal.userIdOf(p);
    if (u) return profiles.get(u);
    const g = groups.get(principal.groupIdOf(p) ?? '');
    return g ? { fingerprint: g.fingerprint, keyGeneration: g.keyGeneration } : undefined;
  };
  const unknown = ids.filter((p) => !current(p));
  if (unknown.length > 0) {
    throw new Unprocessable('UNKNOWN_PRINCIPALS', `No such users or groups: ${unknown.join(', ')}. Nothing was shared.`, { principalIds: unknown });
  }
  const stale = grants.filter((g) => current(g.principalId)!.fingerprint !== g.fingerprint).map((g) => g.principalId);
  if (stale.length > 0) {
    throw new Conflict('STALE_PUBLIC_KEY', `The public key of ${stale.join(', ')} is not the one you wrapped for: fetch it again.`, {
      principalIds: stale,
    });
  }
  return new Map(
    ids.map((p) => {
      const c = current(p)!;
      const kind = p.startsWith('g:') ? 'group' : 'user';
      return [p, { principalId: p, kind, ...(kind === 'group' ? { keyGeneration: c.keyGeneration! } : {}) }];
    }),
  );
}

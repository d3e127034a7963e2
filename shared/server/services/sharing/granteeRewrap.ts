import type { Deps } from '../../config/Deps.js';
import { getGroupMetas } from '../../data/groups.js';
import { principal } from '../../data/keys.js';
import { getProfiles } from '../../data/users.js';
import { Conflict, ValidationFailed } from '../../../core/errors/index.js';
import type { LimitGrantInput } from '../../../core/api/schemas/folders.js';

/**
 * The checks of a new key generation's grants (a folder limited, a document key rotated): the
 * client wrapped the new key for exactly the node's direct grantees, each for its current key.
 */

/** The grants must be exactly the required principals, each once. */
export function checkGrantees(grants: LimitGrantInput[], required: Set<string>): void {
  const ids = grants.map((g) => g.principalId);
  const duplicates = ids.filter((id, i) => ids.indexOf(id) !== i);
  if (duplicates.length > 0) throw new ValidationFailed(`Each principal may appear once: ${[...new Set(duplicates)].join(', ')}.`);
  const given = new Set(ids);
  const missing = [...required].filter((p) => !given.has(p)).sort();
  const unexpected = ids.filter((p) => !required.has(p)).sort();
  if (missing.length > 0 || unexpected.length > 0) {
    throw new Conflict('GRANTEES_CHANGED', "Wrap the new key for exactly the node's direct grantees: reload its permissions.", {
      missing,
      unexpected,
    });
  }
}

/** Every key was wrapped for the principal's current public key: a user's fingerprint, a group's key generation. */
export async function checkWrappedFor(deps: Deps, grants: LimitGrantInput[]): Promise<void> {
  const users = grants.flatMap((g) => principal.userIdOf(g.principalId) ?? []);
  const groups = grants.flatMap((g) => principal.groupIdOf(g.principalId) ?? []);
  const [profiles, metas] = await Promise.all([
    users.length ? getProfiles(deps.db, users) : Promise.resolve(new Map()),
    groups.length ? getGroupMetas(deps.db, groups) : Promise.resolve(new Map()),
  ]);
  const stale: string[] = [];
  for (const g of grants) {
    const userId = principal.userIdOf(g.principalId);
    if (userId !== undefined) {
      if (!g.fingerprint) throw new ValidationFailed(`${g.principalId}: send the fingerprint of the public key wrapped for.`);
      if (profiles.get(userId)?.fingerprint !== g.fingerprint) stale.push(g.principalId);
    } else {
      if (g.principalKeyGeneration === undefined) throw new ValidationFailed(`${g.principalId}: send the group key generation wrapped for.`);
      const group = metas.get(principal.groupIdOf(g.principalId)!);
      const fingerprintOk = g.fingerprint === undefined || group?.fingerprint === g.fingerprint;
      if (group?.keyGeneration !== g.principalKeyGeneration || !fingerprintOk) stale.push(g.principalId);
    }
  }
  if (stale.length > 0) {
    throw new Conflict('STALE_PUBLIC_KEY', `Not wrapped for the current public key of ${stale.join(', ')}: fetch the keys again.`, { principalIds: stale });
  }
}

import type { Database } from '../../data/Database.js';
import { currentWrap, getGroupMetas, getMemberships } from '../../data/groups.js';
import { principal } from '../../data/keys.js';
import { getPrincipalSets } from '../../data/principalSets.js';
import type { KeyringGroup } from '../../../core/api/schemas/groups.js';

/**
 * GET /groups: every group in the caller's principal set with its key material and, for the
 * member principal the caller is in it through (`via`), the wrapped group secret. Three
 * consistent reads: the principal set, the metas, the (group, via) member items.
 * The client opens them in topological order (client/sdk/GroupKeyring.ts).
 */
export async function groupKeyring(db: Database, userId: string): Promise<KeyringGroup[]> {
  const set = (await getPrincipalSets(db, [userId])).get(userId);
  const entries = Object.entries(set?.groups ?? {});
  if (entries.length === 0) return [];
  const [metas, memberships] = await Promise.all([
    getGroupMetas(db, entries.map(([g]) => g)),
    getMemberships(db, entries.map(([groupId, via]) => ({ groupId, principalId: via }))),
  ]);
  const me = principal.user(userId);
  const groups: KeyringGroup[] = [];
  for (const [groupId, via] of entries) {
    const meta = metas.get(groupId);
    if (!meta) continue;
    const member = memberships.get(`${groupId}|${via}`);
    const wrap = member ? currentWrap(meta, member) : undefined;
    groups.push({
      groupId,
      name: meta.name,
      keyGeneration: meta.keyGeneration,
      publicKey: meta.publicKey,
      fingerprint: meta.fingerprint,
      memberCount: meta.memberCount,
      sealedPrivateKey: meta.sealedPrivateKey,
      sealedPrivateKeys: meta.sealedPrivateKeys ?? {},
      keyChain: meta.keyChain ?? {},
      via,
      ...(via === me && member ? { role: member.role } : {}),
      ...(wrap
        ? {
            wrappedSecret: wrap.wrappedSecret,
            secretKeyGeneration: wrap.keyGeneration,
            ...(wrap.principalKeyGeneration !== undefined ? { viaKeyGeneration: wrap.principalKeyGeneration } : {}),
          }
        : {}),
    });
  }
  return groups.sort((a, b) => a.name.localeCompare(b.name) || a.groupId.localeCompare(b.groupId));
}

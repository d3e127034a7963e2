import type { Deps } from '../../config/Deps.js';
import {
  addMembers,
  getGroupMetas,
  getMemberItems,
  listMembers,
  promoteStagedWraps,
  removalItemCount,
  removeMembersAndRotate,
  stageRotationWraps,
  type StagedWrap,
} from '../../data/groups.js';
import type { GroupMemberItem } from '../../data/groupItems.js';
import { principal } from '../../data/keys.js';
import { MAX_TRANSACTION_ITEMS } from '../../data/transactWrite.js';
import { closureAbove, computePrincipalSet, computeSupergroups, getPrincipalSets, type ComputedSet } from '../../data/principalSets.js';
import { getProfiles } from '../../data/users.js';
import { Conflict, Unprocessable } from '../../../core/errors/index.js';
import type { Caller } from '../../http/Operation.js';
import { GROUP_LIMITS, type AddMembersResponse, type NewMember, type RemoveMembersBody, type RemoveMembersResponse } from '../../../core/api/schemas/groups.js';
import { groupNotFound, groupStanding, notAdmin, requireGroupAdmin } from './groupStanding.js';
import { checkGroupPublicKey } from './checkGroupPublicKey.js';
import { propagateBelow, resumePropagation } from './groupPropagation.js';

const keyChanged = () => new Conflict('GROUP_KEY_CHANGED', "The group's key changed: reload the group and wrap for its current key.");

/**
 * Add members (docs/permissions.md, "Groups"): every check that can be made before the write
 * is made, with a stable code; then one transaction (data/groups.ts `addMembers`) whose
 * conditions repeat the guards that matter under concurrency; then, for nested groups, the
 * propagation to everything below them.
 */
export async function addGroupMembers(deps: Deps, caller: Caller, groupId: string, members: NewMember[]): Promise<AddMembersResponse> {
  const { db } = deps;
  const { meta } = await requireGroupAdmin(db, groupId, caller);
  if (members.some((m) => m.keyGeneration !== meta.keyGeneration)) throw keyChanged();

  const userIds = members.flatMap((m) => principal.userIdOf(m.principalId) ?? []);
  const groupIds = members.flatMap((m) => principal.groupIdOf(m.principalId) ?? []);
  const [profiles, nested, existing, sets] = await Promise.all([
    getProfiles(db, userIds),
    getGroupMetas(db, groupIds),
    getMemberItems(db, groupId, members.map((m) => m.principalId)),
    getPrincipalSets(db, userIds),
  ]);
  const unknown = members.filter((m) => {
    const u = principal.userIdOf(m.principalId);
    return u ? !profiles.has(u) : !nested.has(principal.groupIdOf(m.principalId)!);
  });
  if (unknown.length > 0) {
    const ids = unknown.map((m) => m.principalId);
    throw new Unprocessable('UNKNOWN_PRINCIPALS', `No such users or groups: ${ids.join(', ')}. Nothing was changed.`, { principalIds: ids });
  }
  const stale = members.filter((m) => {
    const u = principal.userIdOf(m.principalId);
    const current = u ? profiles.get(u)!.fingerprint : nested.get(principal.groupIdOf(m.principalId)!)!.fingerprint;
    return current !== m.fingerprint;
  });
  if (stale.length > 0) {
    const ids = stale.map((m) => m.principalId);
    throw new Conflict('STALE_PUBLIC_KEY', `The public key of ${ids.join(', ')} is not the one you wrapped for: fetch it again.`, { principalIds: ids });
  }
  const guestAdmins = members.filter((m) => m.role === 'admin' && profiles.get(principal.userIdOf(m.principalId) ?? '')?.kind === 'guest');
  if (guestAdmins.length > 0) {
    const ids = guestAdmins.map((m) => m.principalId);
    throw new Unprocessable('GUEST_CANNOT_BE_ADMIN', `Guests can be members, never admins: ${ids.join(', ')}.`, { principalIds: ids });
  }
  if (existing.size > 0) {
    const ids = [...existing.keys()];
    throw new Conflict('ALREADY_MEMBER', `Already members: ${ids.join(', ')}. Nothing was changed.`, { principalIds: ids });
  }
  await resumePropagation(db, [meta, ...nested.values()]);

  // The group and everything above it, read fresh: its own entry included, so "into itself" is a cycle too.
  const above = await closureAbove(db, '', [groupId]);
  const cycles = groupIds.filter((h) => above.groups[h] !== undefined);
  if (cycles.length > 0) {
    const ids = cycles.map((h) => principal.group(h));
    throw new Unprocessable('GROUP_CYCLE', `A group cannot be nested in itself or in a group below it: ${ids.join(', ')}.`, { principalIds: ids });
  }
  const ancestors = [...above.metas.values()].filter((a) => a.groupId !== groupId);
  if (ancestors.length > GROUP_LIMITS.maxAncestors) {
    throw new Unprocessable('NESTING_TOO_DEEP', `This group is nested in ${ancestors.length} groups: at most ${GROUP_LIMITS.maxAncestors} can receive members.`);
  }

  const withGroup = (base: Record<string, string>, via: string) => {
    const groups = { ...base, [groupId]: via };
    for (const [s, v] of Object.entries(above.groups)) if (s !== groupId) groups[s] ??= v;
    return groups;
  };
  const userSets = new Map<string, ComputedSet>(
    userIds.map((u) => [u, { groups: withGroup(sets.get(u)?.groups ?? {}, principal.user(u)), rev: sets.get(u)?.rev ?? 0 }]),
  );
  const groupSupergroups = new Map<string, ComputedSet>(
    groupIds.map((h) => [h, { groups: withGroup(nested.get(h)!.supergroups ?? {}, principal.group(h)), rev: nested.get(h)!.rev }]),
  );
  const now = new Date(deps.clock()).toISOString();
  const items: GroupMemberItem[] = members.map((m) => {
    const u = principal.userIdOf(m.principalId);
    const h = principal.groupIdOf(m.principalId);
    return {
      groupId,
      principalId: m.principalId,
      kind: u ? profiles.get(u)!.kind : 'group',
      role: m.role,
      wrappedSecret: m.wrappedSecret,
      keyGeneration: m.keyGeneration,
      ...(h ? { principalKeyGeneration: nested.get(h)!.keyGeneration } : {}),
      addedBy: caller.userId,
      addedAt: now,
    };
  });
  await addMembers(db, { meta, ancestors, members: items, userSets, groupSupergroups });
  for (const h of groupIds) await propagateBelow(db, h);
  return { groupId, added: members.map((m) => m.principalId), memberCount: meta.memberCount + members.length };
}

/**
 * Remove members and rotate the group key (docs/permissions.md, "Groups"). Admins remove
 * anyone; a member may remove only itself (leave). With `rotation.commit: false` the request
 * only stages wraps of the new secret (groups too large for one request).
 */
export async function removeGroupMembers(deps: Deps, caller: Caller, groupId: string, body: RemoveMembersBody): Promise<RemoveMembersResponse> {
  const { db } = deps;
  const standing = await groupStanding(db, groupId, caller);
  if (!standing.via) throw groupNotFound();
  const me = principal.user(caller.userId);
  const leaving = body.principalIds.length === 1 && body.principalIds[0] === me && standing.own !== undefined;
  if (!standing.admin && !leaving) throw notAdmin();
  const { meta } = standing;
  const { rotation } = body;
  const next = meta.keyGeneration + 1;
  if (rotation.keyGeneration !== next) throw keyChanged();
  checkGroupPublicKey(rotation.publicKey, rotation.fingerprint);
  await resumePropagation(db, [meta]);

  const members = new Map((await listMembers(db, groupId)).map((m) => [m.principalId, m]));
  const notMembers = body.principalIds.filter((p) => !members.has(p));
  if (notMembers.length > 0) {
    throw new Unprocessable('NOT_MEMBERS', `Not members of the group: ${notMembers.join(', ')}. Nothing was changed.`, { principalIds: notMembers });
  }
  const removedIds = new Set(body.principalIds);
  const removed = body.principalIds.map((p) => members.get(p)!);
  const remaining = [...members.values()].filter((m) => !removedIds.has(m.principalId));
  if (!remaining.some((m) => m.role === 'admin')) {
    throw new Unprocessable('LAST_ADMIN', 'A group keeps at least one admin: add or promote another admin first.');
  }
  const unexpected = rotation.wraps.filter((w) => !members.has(w.principalId) || removedIds.has(w.principalId)).map((w) => w.principalId);
  if (unexpected.length > 0) {
    throw new Unprocessable('ROTATION_MISMATCH', `Wraps for principals that will not be members: ${unexpected.join(', ')}.`, { principalIds: unexpected });
  }

  const nestedRemaining = await getGroupMetas(
    db,
    rotation.wraps.flatMap((w) => principal.groupIdOf(w.principalId) ?? []),
  );
  const wraps: StagedWrap[] = rotation.wraps.map((w) => {
    const h = principal.groupIdOf(w.principalId);
    return {
      principalId: w.principalId,
      wrappedSecret: w.wrappedSecret,
      keyGeneration: next,
      ...(h ? { principalKeyGeneration: nestedRemaining.get(h)?.keyGeneration ?? 1 } : {}),
    };
  });
  if (!rotation.commit) {
    await stageRotationWraps(db, groupId, { rev: meta.rev, keyGeneration: meta.keyGeneration }, rotation.fingerprint, wraps);
    return { groupId, removed: [], keyGeneration: meta.keyGeneration, staged: wraps.length };
  }

  const inRequest = new Set(wraps.map((w) => w.principalId));
  const staged = remaining.filter((m) => !inRequest.has(m.principalId));
  const missing = staged.filter((m) => m.staged?.fingerprint !== rotation.fingerprint || m.staged.keyGeneration !== next).map((m) => m.principalId);
  if (missing.length > 0) {
    throw new Unprocessable('ROTATION_INCOMPLETE', `Wrap the new group secret for every remaining member; missing: ${missing.join(', ')}.`, {
      principalIds: missing,
    });
  }

  const removedUsers = removed.flatMap((m) => principal.userIdOf(m.principalId) ?? []);
  const removedGroups = removed.flatMap((m) => principal.groupIdOf(m.principalId) ?? []);
  const [sets, removedMetas] = await Promise.all([getPrincipalSets(db, removedUsers), getGroupMetas(db, removedGroups)]);
  const without = new Set([groupId]);
  const userSets = new Map(
    await Promise.all(removedUsers.map(async (u) => [u, await computePrincipalSet(db, u, sets.get(u), without)] as const)),
  );
  const groupSupergroups = new Map(
    await Promise.all(removedGroups.map(async (h) => [h, await computeSupergroups(db, removedMetas.get(h)!, without)] as const)),
  );

  // One transaction when it fits; otherwise the wraps are staged first (docs/permissions.md, "Groups").
  let rev = meta.rev;
  let direct = wraps;
  if (removalItemCount(removed) + wraps.length > MAX_TRANSACTION_ITEMS) {
    rev = await stageRotationWraps(db, groupId, { rev, keyGeneration: meta.keyGeneration }, rotation.fingerprint, wraps);
    direct = [];
  }
  await removeMembersAndRotate(db, { meta, rev, removed, rotation, wraps: direct, userSets, groupSupergroups });
  const directIds = new Set(direct.map((w) => w.principalId));
  await promoteStagedWraps(
    db,
    groupId,
    rotation.fingerprint,
    remaining.filter((m) => !directIds.has(m.principalId)).map((m) => m.principalId),
  );
  for (const h of removedGroups) await propagateBelow(db, h);
  return { groupId, removed: body.principalIds, keyGeneration: next };
}

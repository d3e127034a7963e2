import {
  fingerprint,
  fromBase64Url,
  generateGroupKeyPair,
  generateGroupSecret,
  importPublicKey,
  sealGroupPrivateKey,
  toBase64Url,
  unwrapKey,
  wrapKey,
  wrapKeyUnderKey,
} from '../../shared/core/crypto/index.js';
import { CofferError, DecryptionFailed } from '../../shared/core/errors/index.js';
import {
  GROUP_LIMITS,
  type AddMembersResponse,
  type CreateGroupBody,
  type GroupRole,
  type GroupView,
  type KeyringGroup,
  type ListGroupGrantsResponse,
  type RemoveMembersBody,
  type RemoveMembersResponse,
  type RewrapGrantsResponse,
} from '../../shared/core/api/schemas/groups.js';
import type { ClientContext } from './ClientContext.js';
import { CofferApiError, KeyMismatchError } from './errors.js';
import { GroupKeyring } from './GroupKeyring.js';
import { retryConcurrentUpdates } from './retry.js';
import { newId } from './ids.js';

export type { GroupRole, GroupView, KeyringGroup } from '../../shared/core/api/schemas/groups.js';

/** A member to add or remove: a user or a group. */
export type GroupPrincipal = { userId: string } | { groupId: string };
export type GroupMemberSpec = GroupPrincipal & { role?: GroupRole };

export interface GroupMemberOptions {
  /** Users whose changed public key the caller has verified out of band (see KeyChangedError). */
  acceptNewKeyFor?: readonly string[];
}

export interface AddMembersResult extends AddMembersResponse {
  /** Asked for, but already members: nothing was sent for them. */
  alreadyMembers: string[];
}

export interface RewrapResult {
  groupId: string;
  keyGeneration: number;
  rewrapped: number;
  /** Re-wrapped concurrently by someone else, or changed meanwhile. */
  skipped: number;
  /** Grants whose key could not be opened (left as they were; listed by node id). */
  failed: string[];
}

export interface RemoveMembersResult extends RemoveMembersResponse {
  /** Asked for, but not members: nothing was done for them. */
  notMembers: string[];
  /** The re-wrap of the grants made to the group, run right after the rotation. */
  rewrap: RewrapResult;
}

/** A group's public key as a recipient of wrapped keys. */
export interface GroupRecipient {
  groupId: string;
  principalId: string;
  publicKey: CryptoKey;
  fingerprint: string;
  keyGeneration: number;
}

/** Retries of a membership change that lost to a concurrent one (CONCURRENT_UPDATE). */
const CONFLICT_RETRIES = 3;

export const groupPath = (groupId: string) => `/groups/${encodeURIComponent(groupId)}`;
export const principalOf = (p: GroupPrincipal) => ('userId' in p ? `u:${p.userId}` : `g:${p.groupId}`);

/**
 * Create a group: a fresh id, key pair and secret here; the private key sealed under the
 * secret; the secret wrapped for the creator's own key. The server sees only public material.
 */
export async function createGroup(ctx: ClientContext, name: string): Promise<GroupView> {
  const session = await ctx.keeper.current();
  const groupId = newId();
  const [pair, ownKey] = await Promise.all([generateGroupKeyPair(), importPublicKey(fromBase64Url(session.publicKeySpki))]);
  const secret = generateGroupSecret();
  try {
    const body: CreateGroupBody = {
      groupId,
      name,
      publicKey: toBase64Url(pair.publicKeySpki),
      fingerprint: await fingerprint(pair.publicKeySpki),
      sealedPrivateKey: await sealGroupPrivateKey(secret, pair.privateKeyPkcs8, { groupId, generation: 1 }),
      keyGeneration: 1,
      creatorWrappedSecret: toBase64Url(
        await wrapKey(ownKey, secret, { kind: 'group', resourceId: groupId, generation: 1, recipientId: `u:${session.userId}` }),
      ),
    };
    // The creator's principal set is part of the write: a concurrent group change of theirs is retried.
    const created = await retryConcurrentUpdates(() => ctx.api.post<GroupView>('/groups', body));
    // The key pair was made here: pin it, so sharing with the group never trusts the server's copy first.
    await ctx.recipients.pinVerified(`g:${groupId}`, body.fingerprint);
    return created;
  } finally {
    secret.fill(0);
    pair.privateKeyPkcs8.fill(0);
  }
}

export function getGroup(ctx: ClientContext, groupId: string): Promise<GroupView> {
  return ctx.api.get<GroupView>(groupPath(groupId));
}

/** The caller's groups (transitively), as the keyring lists them. */
export async function listGroups(ctx: ClientContext): Promise<KeyringGroup[]> {
  return (await GroupKeyring.load(ctx)).groups();
}

export async function renameGroup(ctx: ClientContext, groupId: string, name: string): Promise<{ groupId: string; name: string }> {
  return ctx.api.request('PUT', `${groupPath(groupId)}/name`, { body: { name } });
}

export async function setMemberRole(ctx: ClientContext, groupId: string, member: GroupPrincipal, role: GroupRole) {
  return ctx.api.request<{ groupId: string; principalId: string; role: GroupRole }>(
    'PUT',
    `${groupPath(groupId)}/members/${encodeURIComponent(principalOf(member)).replace('%3A', ':')}`,
    { body: { role } },
  );
}

/**
 * A group's current public key to wrap for: proven by a round trip through its private key
 * when the caller is in the group; otherwise the server's key, checked against its stated
 * fingerprint (group keys are not pinned yet: see docs/permissions.md, "Groups").
 */
export async function groupRecipient(ctx: ClientContext, groupId: string, keyring?: GroupKeyring): Promise<GroupRecipient> {
  if (keyring?.has(groupId)) {
    const entry = keyring.entry(groupId);
    return {
      groupId,
      principalId: `g:${groupId}`,
      publicKey: await keyring.verifiedPublicKey(groupId),
      fingerprint: entry.fingerprint,
      keyGeneration: entry.keyGeneration,
    };
  }
  const view = await getGroup(ctx, groupId);
  const spki = fromBase64Url(view.publicKey);
  // Security check, do not remove: the fingerprint we send is our own hash of the key we wrap for.
  if ((await fingerprint(spki)) !== view.fingerprint) throw new KeyMismatchError(`g:${groupId}`);
  return { groupId, principalId: `g:${groupId}`, publicKey: await importPublicKey(spki), fingerprint: view.fingerprint, keyGeneration: view.keyGeneration };
}

/**
 * Add users and groups: the current group secret is opened from the keyring and wrapped for
 * each new member's current public key (users' keys pin-checked). Members already in the group
 * are skipped, so adding is idempotent. Batches of 25 (one transaction each).
 */
export async function addMembers(
  ctx: ClientContext,
  groupId: string,
  specs: readonly GroupMemberSpec[],
  options: GroupMemberOptions = {},
): Promise<AddMembersResult> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await addMembersOnce(ctx, groupId, specs, options);
    } catch (error) {
      if (attempt >= CONFLICT_RETRIES || !isConflict(error)) throw error;
    }
  }
}

async function addMembersOnce(ctx: ClientContext, groupId: string, specs: readonly GroupMemberSpec[], options: GroupMemberOptions): Promise<AddMembersResult> {
  const [keyring, view] = await Promise.all([GroupKeyring.load(ctx), getGroup(ctx, groupId)]);
  const present = new Set((view.members ?? []).map((m) => m.principalId));
  const wanted = new Map(specs.map((s) => [principalOf(s), s]));
  const alreadyMembers = [...wanted.keys()].filter((p) => present.has(p));
  const fresh = [...wanted.entries()].filter(([p]) => !present.has(p));
  if (fresh.length === 0) return { groupId, added: [], memberCount: view.memberCount, alreadyMembers };

  const generation = keyring.entry(groupId).keyGeneration;
  const secret = await keyring.secretFor(groupId, generation);
  try {
    const userIds = fresh.flatMap(([, s]) => ('userId' in s ? [s.userId] : []));
    const users = new Map((await ctx.recipients.resolve(userIds, { acceptNewKeyFor: options.acceptNewKeyFor ?? [] })).map((r) => [`u:${r.userId}`, r]));
    const members = [];
    for (const [principalId, spec] of fresh) {
      const target = 'userId' in spec ? users.get(principalId)! : await groupRecipient(ctx, spec.groupId, keyring);
      const wrapped = await wrapKey(target.publicKey, secret, { kind: 'group', resourceId: groupId, generation, recipientId: principalId });
      members.push({ principalId, role: spec.role ?? 'member', wrappedSecret: toBase64Url(wrapped), keyGeneration: generation, fingerprint: target.fingerprint });
    }
    const added: string[] = [];
    let memberCount = view.memberCount;
    for (let i = 0; i < members.length; i += GROUP_LIMITS.membersPerAdd) {
      const res = await ctx.api.post<AddMembersResponse>(`${groupPath(groupId)}/members`, { members: members.slice(i, i + GROUP_LIMITS.membersPerAdd) });
      added.push(...res.added);
      memberCount = res.memberCount;
    }
    return { groupId, added, memberCount, alreadyMembers };
  } finally {
    secret.fill(0);
  }
}

/**
 * Remove members and rotate the group key: a new key pair and secret here, the secret wrapped
 * for every remaining member, the old secret chained under the new one; then every grant made
 * to the group is re-wrapped for the new key (`rewrapGroupGrants`, resumable on its own).
 * Leaving is removing oneself. Groups whose wraps do not fit one request stage them first. The
 * new key, made here, is pinned for this client once the server took it.
 */
export async function removeMembers(
  ctx: ClientContext,
  groupId: string,
  principals: readonly GroupPrincipal[],
  options: GroupMemberOptions = {},
): Promise<RemoveMembersResult> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await removeMembersOnce(ctx, groupId, principals, options);
    } catch (error) {
      if (attempt >= CONFLICT_RETRIES || !isConflict(error)) throw error;
    }
  }
}

async function removeMembersOnce(
  ctx: ClientContext,
  groupId: string,
  principals: readonly GroupPrincipal[],
  options: GroupMemberOptions,
): Promise<RemoveMembersResult> {
  const session = await ctx.keeper.current();
  const [keyring, view] = await Promise.all([GroupKeyring.load(ctx), getGroup(ctx, groupId)]);
  const members = view.members ?? [];
  const present = new Set(members.map((m) => m.principalId));
  const asked = [...new Set(principals.map(principalOf))];
  const notMembers = asked.filter((p) => !present.has(p));
  const removed = asked.filter((p) => present.has(p));
  const entry = keyring.entry(groupId);
  if (removed.length === 0) {
    return { groupId, removed: [], keyGeneration: entry.keyGeneration, notMembers, rewrap: emptyRewrap(groupId, entry.keyGeneration) };
  }
  const leaving = removed.length === 1 && removed[0] === `u:${session.userId}`;
  const remaining = members.filter((m) => !removed.includes(m.principalId)).map((m) => m.principalId);

  const old = entry.keyGeneration;
  const next = old + 1;
  const [oldSecret, pair] = await Promise.all([keyring.secretFor(groupId, old), generateGroupKeyPair()]);
  const secret = generateGroupSecret();
  try {
    const userIds = remaining.flatMap((p) => (p.startsWith('u:') ? [p.slice(2)] : []));
    const users = new Map((await ctx.recipients.resolve(userIds, { acceptNewKeyFor: options.acceptNewKeyFor ?? [] })).map((r) => [`u:${r.userId}`, r]));
    const wraps = [];
    for (const principalId of remaining) {
      const target = principalId.startsWith('u:') ? users.get(principalId)! : await groupRecipient(ctx, principalId.slice(2), keyring);
      const wrapped = await wrapKey(target.publicKey, secret, { kind: 'group', resourceId: groupId, generation: next, recipientId: principalId });
      wraps.push({ principalId, wrappedSecret: toBase64Url(wrapped) });
    }
    const rotation = {
      keyGeneration: next,
      publicKey: toBase64Url(pair.publicKeySpki),
      fingerprint: await fingerprint(pair.publicKeySpki),
      sealedPrivateKey: await sealGroupPrivateKey(secret, pair.privateKeyPkcs8, { groupId, generation: next }),
      chainWrap: await wrapKeyUnderKey(secret, oldSecret, { kind: 'group-chain', resourceId: groupId, generation: old, parentId: groupId, parentGeneration: next }),
    };
    const path = `${groupPath(groupId)}/members/remove`;
    const per = GROUP_LIMITS.wrapsPerRequest;
    // Stage all but the last batch (large groups), then remove and switch with the last one.
    const lastStart = Math.max(0, Math.floor((wraps.length - 1) / per) * per);
    for (let i = 0; i < lastStart; i += per) {
      const stage: RemoveMembersBody = { principalIds: removed, rotation: { ...rotation, wraps: wraps.slice(i, i + per), commit: false } };
      await ctx.api.post<RemoveMembersResponse>(path, stage);
    }
    const body: RemoveMembersBody = { principalIds: removed, rotation: { ...rotation, wraps: wraps.slice(lastStart), commit: true } };
    const res = await ctx.api.post<RemoveMembersResponse>(path, body);
    // Our own rotation, committed: the new key pair was made here, so pin it (else our next share
    // with the group would take it for a substituted key). A key someone else rotates to stays refused.
    await ctx.recipients.pinVerified(`g:${groupId}`, rotation.fingerprint);
    // Someone who left holds no key to the new generation: the remaining members re-wrap.
    const rewrap = leaving
      ? emptyRewrap(groupId, next)
      : await rewrapWith(ctx, groupId, keyring, { publicKey: pair.publicKey, keyGeneration: next });
    return { ...res, notMembers, rewrap };
  } finally {
    secret.fill(0);
    oldSecret.fill(0);
    pair.privateKeyPkcs8.fill(0);
  }
}

/**
 * Re-wrap every grant made to the group that is still wrapped for an older group key:
 * unwrap with the old generation's private key (down the key chain), wrap with the current
 * public key, store conditionally. Resumable: run it again after an interruption.
 */
export async function rewrapGroupGrants(ctx: ClientContext, groupId: string): Promise<RewrapResult> {
  const keyring = await GroupKeyring.load(ctx);
  const entry = keyring.entry(groupId);
  const publicKey = await keyring.verifiedPublicKey(groupId);
  return rewrapWith(ctx, groupId, keyring, { publicKey, keyGeneration: entry.keyGeneration });
}

async function rewrapWith(
  ctx: ClientContext,
  groupId: string,
  keyring: GroupKeyring,
  target: { publicKey: CryptoKey; keyGeneration: number },
): Promise<RewrapResult> {
  const result: RewrapResult = { groupId, keyGeneration: target.keyGeneration, rewrapped: 0, skipped: 0, failed: [] };
  const failed = new Set<string>();
  let cursor: string | undefined;
  do {
    const page = await ctx.api.get<ListGroupGrantsResponse>(`${groupPath(groupId)}/grants`, {
      query: { stale: 1, limit: GROUP_LIMITS.grantsPerRewrap, cursor },
    });
    cursor = page.cursor;
    if (page.keyGeneration !== target.keyGeneration) {
      throw new CofferError('GROUP_KEY_CHANGED', 'The group key changed again while re-wrapping: run `coffer group rewrap` again.');
    }
    const grants = [];
    for (const g of page.grants.filter((x) => !failed.has(x.nodeId))) {
      const kind = g.nodeKind === 'folder' ? 'folder' : 'dek';
      const label = { kind, resourceId: g.nodeId, generation: g.keyGeneration, recipientId: `g:${groupId}` } as const;
      let key: Uint8Array;
      try {
        const oldKey = await keyring.privateKeyFor(groupId, g.principalKeyGeneration);
        key = await unwrapKey(oldKey, fromBase64Url(g.wrappedKey), label);
      } catch (error) {
        if (!(error instanceof DecryptionFailed) && !(error instanceof CofferError)) throw error;
        failed.add(g.nodeId);
        continue;
      }
      try {
        grants.push({ nodeId: g.nodeId, keyGeneration: g.keyGeneration, wrappedKey: toBase64Url(await wrapKey(target.publicKey, key, label)) });
      } finally {
        key.fill(0);
      }
    }
    if (grants.length > 0) {
      const res = await ctx.api.post<RewrapGrantsResponse>(`${groupPath(groupId)}/rewrap`, { principalKeyGeneration: target.keyGeneration, grants });
      result.rewrapped += res.rewrapped.length;
      result.skipped += res.skipped.length;
    }
  } while (cursor);
  result.failed = [...failed];
  return result;
}

function emptyRewrap(groupId: string, keyGeneration: number): RewrapResult {
  return { groupId, keyGeneration, rewrapped: 0, skipped: 0, failed: [] };
}

function isConflict(error: unknown): boolean {
  return error instanceof CofferApiError && error.code === 'CONCURRENT_UPDATE';
}

import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { Conflict } from '../../core/errors/index.js';
import { batchGetAll, queryAll } from './batchOperations.js';
import type { Database } from './Database.js';
import type { DocumentMeta } from './documents.js';
import { dynamo } from './dynamoErrors.js';
import { atRev, type Condition, conditionCheck, deleteItem, exists, isNew, putItem, updateItem } from './itemBuilders.js';
import type { GrantItem } from './nodes.js';
import { transact, transactIfHolds } from './transact.js';
import type { GuardedItem } from './transactItem.js';
import { copyOf, increment } from './updateExpression.js';
import { sendIfHolds } from './sendGuarded.js';
import { writeGuarded, writeIfHolds } from './writeGuarded.js';
import { indexKeys, keys, prefixes, principal } from './keys.js';
import { putPrincipalSetItem, setSupergroupsItem, type ComputedSet } from './principalSets.js';
import { MAX_TRANSACTION_ITEMS } from './transactWrite.js';
import type { GroupGrant, GroupMemberItem, GroupMeta, MemberRole, SecretWrap } from './groupItems.js';

const concurrent = () => new Conflict('CONCURRENT_UPDATE', 'A concurrent change to the group won: reload it and retry.');
const keyChanged = () => new Conflict('GROUP_KEY_CHANGED', "The group's key changed: reload the group and wrap for its current key.");

/** Many group metas in one round trip per 100 ids (consistent). Unknown ids are absent from the map. */
export async function getGroupMetas(db: Database, groupIds: string[]): Promise<Map<string, GroupMeta>> {
  const items = await batchGetAll(db, [...new Set(groupIds)].map((id) => keys.groupMeta(id)), true);
  return new Map(items.map((item) => [item.groupId as string, item as unknown as GroupMeta]));
}

/** Member items of one group for the given principals (consistent); absent ones are not members. */
export async function getMemberItems(db: Database, groupId: string, principalIds: string[]): Promise<Map<string, GroupMemberItem>> {
  return getMemberships(db, principalIds.map((p) => ({ groupId, principalId: p }))).then(
    (found) => new Map([...found.values()].map((m) => [m.principalId, m])),
  );
}

/** Member items for (group, principal) pairs (consistent), keyed `groupId|principalId`. */
export async function getMemberships(db: Database, pairs: { groupId: string; principalId: string }[]): Promise<Map<string, GroupMemberItem>> {
  const unique = new Map(pairs.map((p) => [`${p.groupId}|${p.principalId}`, p]));
  const items = await batchGetAll(db, [...unique.values()].map((p) => keys.groupMember(p.groupId, p.principalId)), true);
  return new Map(items.map((i) => [`${i.groupId as string}|${i.principalId as string}`, i as unknown as GroupMemberItem]));
}

/** Every direct member of a group: one consistent query of its partition. */
export async function listMembers(db: Database, groupId: string): Promise<GroupMemberItem[]> {
  return (await queryAll(db, {
    KeyConditionExpression: 'pk = :pk AND begins_with(sk, :m)',
    ExpressionAttributeValues: { ':pk': keys.groupPartition(groupId), ':m': prefixes.member },
    ConsistentRead: true,
  })) as unknown as GroupMemberItem[];
}

/** The member's wrap of the group's current secret: its own, or the one staged for this generation's key. */
export function currentWrap(meta: GroupMeta, member: GroupMemberItem): SecretWrap | undefined {
  if (member.keyGeneration === meta.keyGeneration) {
    return pick(member);
  }
  const s = member.staged;
  if (s && s.keyGeneration === meta.keyGeneration && s.fingerprint === meta.fingerprint) return pick(s);
  return undefined;
}

function pick(w: SecretWrap): SecretWrap {
  return {
    wrappedSecret: w.wrappedSecret,
    keyGeneration: w.keyGeneration,
    ...(w.principalKeyGeneration !== undefined ? { principalKeyGeneration: w.principalKeyGeneration } : {}),
  };
}

function memberItem(m: GroupMemberItem) {
  return { ...keys.groupMember(m.groupId, m.principalId), type: 'groupMember', ...m, ...indexKeys.membershipOf(m.principalId, m.groupId) };
}

/**
 * Create: the META, the creator as admin, and the creator's principal set, in one transaction.
 * Guards: the group id is new; the creator's set is still at the `rev` it was computed from.
 */
export async function createGroup(db: Database, meta: GroupMeta, creator: GroupMemberItem, creatorSet: ComputedSet): Promise<void> {
  await transact(
    db,
    [
      putItem(db, { ...keys.groupMeta(meta.groupId), type: 'group', ...meta }, {
        condition: isNew,
        onConditionFail: () => new Conflict('GROUP_EXISTS', 'A group with this id exists: generate a new id.'),
      }),
      putItem(db, memberItem(creator), { condition: isNew }),
      putPrincipalSetItem(db, principal.userIdOf(creator.principalId)!, creatorSet),
    ],
    { otherwise: concurrent },
  );
}

/** Rename. Guard: the META is still at `rev` (the caller's admin standing was read at it). */
export async function renameGroup(db: Database, groupId: string, name: string, rev: number): Promise<void> {
  await writeGuarded(db, updateItem<GroupMeta>(db, keys.groupMeta(groupId), { set: { name, rev: rev + 1 } }, { condition: atRev(rev), onConditionFail: concurrent }));
}

export interface AddMembersPlan {
  meta: GroupMeta;
  /** Ancestors of the group whose `rev` must be unchanged (two opposite concurrent nestings cannot both pass). */
  ancestors: GroupMeta[];
  members: GroupMemberItem[];
  /** New principal sets of the user members. */
  userSets: Map<string, ComputedSet>;
  /** New supergroups of the nested group members. */
  groupSupergroups: Map<string, ComputedSet>;
}

/**
 * Add members, all or none. Guards: the group is at the `rev` and key generation read
 * (so the caller was an admin and the wraps are for the current secret); no listed
 * principal is a member; every principal set and nested group META written is at the
 * `rev` read; every ancestor of the group is at the `rev` read (the cycle check's input).
 */
export async function addMembers(db: Database, plan: AddMembersPlan): Promise<void> {
  const { meta } = plan;
  const admins = plan.members.filter((m) => m.role === 'admin').length;
  const items: GuardedItem[] = [
    updateItem<GroupMeta>(
      db,
      keys.groupMeta(meta.groupId),
      { set: { memberCount: increment(plan.members.length), adminCount: increment(admins, 0), rev: meta.rev + 1 } },
      { condition: atGeneration(meta), returnOld: true, onConditionFail: keyChangedIfMoved(meta.keyGeneration) },
    ),
    ...plan.ancestors.map((a) => conditionCheck(db, keys.groupMeta(a.groupId), { condition: atRev(a.rev) })),
  ];
  /** The member puts, by the principal they add: a failed one is an existing member. */
  const memberPuts = new Map<GuardedItem, string>();
  for (const m of plan.members) {
    const put = putItem(db, memberItem(m), { condition: isNew });
    memberPuts.set(put, m.principalId);
    items.push(put);
    const userId = principal.userIdOf(m.principalId);
    const groupId = principal.groupIdOf(m.principalId);
    if (userId) items.push(putPrincipalSetItem(db, userId, plan.userSets.get(userId)!));
    else if (groupId) items.push(setSupergroupsItem(db, groupId, plan.groupSupergroups.get(groupId)!, true));
  }
  await transact(db, items, {
    explain: (failed) => {
      const already = failed.flatMap((item) => memberPuts.get(item) ?? []);
      if (already.length === 0) return undefined;
      return new Conflict('ALREADY_MEMBER', `Already members: ${already.join(', ')}. Nothing was changed.`, { principalIds: already });
    },
    otherwise: concurrent,
  });
}

/** Guard of a change to the group's members or keys: the META at the `rev` and key generation read. */
function atGeneration(meta: { rev: number; keyGeneration: number }): Condition {
  return { expression: 'rev = :rev AND keyGeneration = :gen', values: { ':rev': meta.rev, ':gen': meta.keyGeneration } };
}

/** A META whose key generation moved since the read: the wraps are for an old secret. */
const keyChangedIfMoved = (generation: number) => (old: Record<string, unknown> | undefined) => {
  const now = (old as Partial<GroupMeta> | undefined)?.keyGeneration;
  return now !== undefined && now !== generation ? keyChanged() : undefined;
};

export interface StagedWrap extends SecretWrap {
  principalId: string;
}

/**
 * A large rotation, step 1 (docs/permissions.md, "Groups"): store wraps of the next
 * generation's secret beside the members' current ones, 98 members per transaction.
 * Guards: the group is still at key generation `generation - 1` and at the `rev` expected
 * (each batch moves `rev` on, so a concurrent change or another rotation being staged makes
 * the switch fail); every member still exists. Returns the group's `rev` after the last batch.
 */
export async function stageRotationWraps(
  db: Database,
  groupId: string,
  expected: { rev: number; keyGeneration: number },
  fingerprint: string,
  wraps: StagedWrap[],
): Promise<number> {
  let rev = expected.rev;
  const perBatch = MAX_TRANSACTION_ITEMS - 2;
  for (let i = 0; i < wraps.length; i += perBatch) {
    const batch = wraps.slice(i, i + perBatch);
    await transact(
      db,
      [
        updateItem<GroupMeta>(db, keys.groupMeta(groupId), { set: { rev: rev + 1, stagedRotation: fingerprint } }, {
          condition: atGeneration({ rev, keyGeneration: expected.keyGeneration }),
          returnOld: true,
          onConditionFail: keyChangedIfMoved(expected.keyGeneration),
        }),
        ...batch.map((w) => updateItem<GroupMemberItem>(db, keys.groupMember(groupId, w.principalId), { set: { staged: { ...pick(w), fingerprint } } }, { condition: exists })),
      ],
      { otherwise: concurrent },
    );
    rev += 1;
  }
  return rev;
}

export interface RemoveMembersPlan {
  meta: GroupMeta;
  /** The META's `rev` to expect (after any staging in this request). */
  rev: number;
  removed: GroupMemberItem[];
  rotation: { keyGeneration: number; publicKey: string; fingerprint: string; sealedPrivateKey: string; chainWrap: string };
  /** Wraps of the new secret written directly (the rest were staged). */
  wraps: StagedWrap[];
  userSets: Map<string, ComputedSet>;
  groupSupergroups: Map<string, ComputedSet>;
}

/** Items the removal transaction needs besides the remaining members' wraps. */
export function removalItemCount(removed: GroupMemberItem[]): number {
  return 1 + removed.length * 2;
}

/**
 * Remove members and switch the group to the next key generation, in one transaction:
 * the removed member items are deleted, the removed users' principal sets rewritten
 * without the group (authorization refuses them from this instant), the removed nested
 * groups' supergroups rewritten, and the META moved to the new key pair with the old
 * secret chained under the new one. Guards: the META is at `rev` and the old generation;
 * every removed member still exists; every set written is at the `rev` it was computed from.
 */
export async function removeMembersAndRotate(db: Database, plan: RemoveMembersPlan): Promise<void> {
  const { meta, rotation } = plan;
  const old = String(meta.keyGeneration);
  const removedAdmins = plan.removed.filter((m) => m.role === 'admin').length;
  const items: GuardedItem[] = [
    updateItem<GroupMeta>(
      db,
      keys.groupMeta(meta.groupId),
      {
        set: {
          keyGeneration: rotation.keyGeneration,
          publicKey: rotation.publicKey,
          fingerprint: rotation.fingerprint,
          sealedPrivateKey: rotation.sealedPrivateKey,
          sealedPrivateKeys: { ...(meta.sealedPrivateKeys ?? {}), [old]: meta.sealedPrivateKey },
          keyChain: { ...(meta.keyChain ?? {}), [old]: rotation.chainWrap },
          memberCount: increment(-plan.removed.length),
          adminCount: increment(-removedAdmins),
          rev: plan.rev + 1,
        },
        remove: ['stagedRotation'],
      },
      {
        // The group keeps an admin: more admins than this removal takes.
        condition: { expression: 'rev = :rev AND keyGeneration = :gen AND adminCount > :a', values: { ':rev': plan.rev, ':gen': meta.keyGeneration, ':a': removedAdmins } },
        returnOld: true,
        onConditionFail: (now) => {
          if (!now) return undefined;
          if (now.keyGeneration !== meta.keyGeneration) return keyChanged();
          if (now.rev === plan.rev) return new Conflict('LAST_ADMIN', 'A group keeps at least one admin: add or promote another admin first.');
          return undefined;
        },
      },
    ),
  ];
  for (const m of plan.removed) {
    items.push(deleteItem(db, keys.groupMember(meta.groupId, m.principalId), { condition: exists }));
    const userId = principal.userIdOf(m.principalId);
    const groupId = principal.groupIdOf(m.principalId);
    if (userId) items.push(putPrincipalSetItem(db, userId, plan.userSets.get(userId)!));
    else if (groupId) items.push(setSupergroupsItem(db, groupId, plan.groupSupergroups.get(groupId)!, true));
  }
  for (const w of plan.wraps) {
    items.push(
      updateItem<GroupMemberItem>(
        db,
        keys.groupMember(meta.groupId, w.principalId),
        {
          set: { wrappedSecret: w.wrappedSecret, keyGeneration: w.keyGeneration, principalKeyGeneration: w.principalKeyGeneration },
          remove: w.principalKeyGeneration !== undefined ? ['staged'] : ['staged', 'principalKeyGeneration'],
        },
        { condition: exists },
      ),
    );
  }
  await transact(db, items, { otherwise: concurrent });
}

/**
 * A large rotation, step 3: move staged wraps into place once the META switched. Readers
 * use a staged wrap that matches the META's generation and key, so this is tidying, not
 * correctness; each update is conditioned on the staged wrap still being this rotation's.
 */
export async function promoteStagedWraps(db: Database, groupId: string, fingerprint: string, principalIds: string[]): Promise<void> {
  const limit = 8;
  for (let i = 0; i < principalIds.length; i += limit) {
    await Promise.all(
      principalIds.slice(i, i + limit).map((p) =>
        // A wrap staged by another rotation since is not ours to move: skipped.
        sendIfHolds(
          db,
          updateItem<GroupMemberItem>(
            db,
            keys.groupMember(groupId, p),
            {
              set: {
                wrappedSecret: copyOf('staged', 'wrappedSecret'),
                keyGeneration: copyOf('staged', 'keyGeneration'),
                principalKeyGeneration: p.startsWith('g:') ? copyOf('staged', 'principalKeyGeneration') : undefined,
              },
              remove: ['staged'],
            },
            { condition: { expression: 'staged.fingerprint = :fp', values: { ':fp': fingerprint } } },
          ),
        ),
      ),
    );
  }
}

/**
 * Change a member's role. Guards: the group is at `rev` (so the caller's admin standing and
 * the admin count are current), the member exists, and a demotion leaves an admin.
 */
export async function changeMemberRole(db: Database, meta: GroupMeta, principalId: string, role: MemberRole, from: MemberRole): Promise<void> {
  if (role === from) return;
  const delta = role === 'admin' ? 1 : -1;
  await transact(
    db,
    [
      updateItem<GroupMeta>(db, keys.groupMeta(meta.groupId), { set: { adminCount: increment(delta), rev: meta.rev + 1 } }, {
        condition: delta < 0 ? { expression: 'rev = :rev AND adminCount > :one', values: { ':rev': meta.rev, ':one': 1 } } : atRev(meta.rev),
        returnOld: true,
        // At the rev read, only the admin count can have failed the condition.
        onConditionFail: (now) => (now?.rev === meta.rev ? new Conflict('LAST_ADMIN', 'A group keeps at least one admin: promote another admin first.') : undefined),
      }),
      updateItem<GroupMemberItem>(db, keys.groupMember(meta.groupId, principalId), { set: { role } }, {
        condition: { expression: '#role = :from', names: { '#role': 'role' }, values: { ':from': from } },
      }),
    ],
    { otherwise: concurrent },
  );
}

/** Marks a propagation done. Guard: nobody changed the group since (a later change propagates itself). */
export async function clearPropagationPending(db: Database, groupId: string, rev: number): Promise<void> {
  await sendIfHolds(db, updateItem<GroupMeta>(db, keys.groupMeta(groupId), { remove: ['propagationPending'] }, { condition: atRev(rev) }));
}

/**
 * Grants made to a group, one gsi1 page (`PRINCIPAL#g:<id>` / `GRANT#`); with `staleBelow`,
 * only those wrapped for an older group key generation. One BatchGet of the nodes' metas adds
 * each node's kind (the client needs it for the wrap label).
 */
export async function listGroupGrants(
  db: Database,
  groupId: string,
  options: { staleBelow?: number; limit: number; startKey?: Record<string, unknown> },
): Promise<{ grants: GroupGrant[]; lastKey?: Record<string, unknown> }> {
  const out = await dynamo(() =>
    db.doc.send(
      new QueryCommand({
        TableName: db.table,
        IndexName: 'gsi1',
        KeyConditionExpression: 'gsi1pk = :p AND begins_with(gsi1sk, :g)',
        ...(options.staleBelow !== undefined ? { FilterExpression: 'principalKeyGeneration < :gen' } : {}),
        ExpressionAttributeValues: {
          ':p': indexKeys.principalPartition(principal.group(groupId)),
          ':g': prefixes.grant,
          ...(options.staleBelow !== undefined ? { ':gen': options.staleBelow } : {}),
        },
        Limit: options.limit,
        ExclusiveStartKey: options.startKey,
      }),
    ),
  );
  const items = out.Items ?? [];
  const nodes = await batchGetAll(db, [...new Set(items.map((i) => i.nodeId as string))].map((id) => keys.nodeMeta(id)));
  const metas = new Map(nodes.map((n) => [n.nodeId as string, n]));
  const grants = items.map((i) => {
    const meta = metas.get(i.nodeId as string);
    return {
      nodeId: i.nodeId as string,
      role: i.role as string,
      keyGeneration: i.keyGeneration as number,
      wrappedKey: i.wrappedKey as string,
      principalKeyGeneration: i.principalKeyGeneration as number,
      nodeKind: meta?.kind === 'folder' ? ('folder' as const) : ('document' as const),
      // The name only where this wrap opens the key it is encrypted under (what `coffer group show` lists).
      ...(meta?.state === 'active' && meta.keyGeneration === i.keyGeneration ? { encryptedName: meta.encryptedName as string } : {}),
      ...(meta?.state !== 'active' ? { inactive: true as const } : {}),
    };
  });
  return { grants, ...(out.LastEvaluatedKey ? { lastKey: out.LastEvaluatedKey } : {}) };
}

/**
 * Re-wrap one grant made to the group for its current key. Guards: the grant exists, its node
 * key generation is the one the client unwrapped, and it is still wrapped for an older group
 * key generation (so of two concurrent re-wraps exactly one is stored). On a document the same
 * transaction marks its key due for rotation (`rotationDue`): the removed member may have kept
 * the old group key, and with it this document's key (docs/versions.md, "Revoke").
 * Returns whether it was stored.
 */
export async function rewrapGroupGrant(
  db: Database,
  groupId: string,
  grant: { nodeId: string; keyGeneration: number; wrappedKey: string },
  principalKeyGeneration: number,
  nodeKind: 'document' | 'folder',
): Promise<boolean> {
  const rewrap = updateItem<GrantItem>(db, keys.grant(grant.nodeId, principal.group(groupId)), { set: { wrappedKey: grant.wrappedKey, principalKeyGeneration } }, {
    condition: {
      expression: 'attribute_exists(pk) AND keyGeneration = :k AND principalKeyGeneration < :p',
      values: { ':k': grant.keyGeneration, ':p': principalKeyGeneration },
    },
  });
  if (nodeKind === 'folder') return writeIfHolds(db, rewrap);
  return transactIfHolds(db, [
    rewrap,
    updateItem<DocumentMeta>(db, keys.nodeMeta(grant.nodeId), { set: { rotationDue: true } }, {
      condition: { expression: 'attribute_exists(pk) AND kind = :document', values: { ':document': 'document' } },
    }),
  ]);
}

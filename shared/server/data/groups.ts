import { QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { Conflict } from '../../core/errors/index.js';
import { batchGetAll, queryAll } from './batchOperations.js';
import type { Database } from './Database.js';
import { appliedIf, cancellationReasons, dynamo, isConditionFailure } from './dynamoErrors.js';
import { guardedTransaction } from './guardedTransaction.js';
import { indexKeys, keys, prefixes, principal } from './keys.js';
import { putPrincipalSetItem, setSupergroupsItem, type ComputedSet } from './principalSets.js';
import { MAX_TRANSACTION_ITEMS, transactWrite, writeItem } from './transactWrite.js';
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
  await dynamo(
    () =>
      transactWrite(db, [
            {
              Put: {
                TableName: db.table,
                Item: { ...keys.groupMeta(meta.groupId), type: 'group', ...meta },
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            },
            { Put: { TableName: db.table, Item: memberItem(creator), ConditionExpression: 'attribute_not_exists(pk)' } },
            putPrincipalSetItem(db, principal.userIdOf(creator.principalId)!, creatorSet),
          ]),
    (error) => {
      const reasons = cancellationReasons(error);
      if (!reasons) return;
      if (reasons[0]?.code === 'ConditionalCheckFailed') throw new Conflict('GROUP_EXISTS', 'A group with this id exists: generate a new id.');
      throw concurrent();
    },
  );
}

/** Rename. Guard: the META is still at `rev` (the caller's admin standing was read at it). */
export async function renameGroup(db: Database, groupId: string, name: string, rev: number): Promise<void> {
  await dynamo(
    () =>
      writeItem(db, { Update: {
          TableName: db.table,
          Key: keys.groupMeta(groupId),
          UpdateExpression: 'SET #name = :name, rev = :next',
          ConditionExpression: 'rev = :rev',
          ExpressionAttributeNames: { '#name': 'name' },
          ExpressionAttributeValues: { ':name': name, ':rev': rev, ':next': rev + 1 },
        } }),
    (error) => {
      if (isConditionFailure(error)) throw concurrent();
    },
  );
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
  const items: Record<string, unknown>[] = [];
  const roles: { kind: 'meta' | 'ancestor' | 'member' | 'other'; principalId?: string }[] = [];
  items.push({
    Update: {
      TableName: db.table,
      Key: keys.groupMeta(meta.groupId),
      UpdateExpression: 'SET memberCount = memberCount + :n, adminCount = if_not_exists(adminCount, :zero) + :a, rev = :next',
      ConditionExpression: 'rev = :rev AND keyGeneration = :gen',
      ExpressionAttributeValues: { ':n': plan.members.length, ':a': admins, ':zero': 0, ':rev': meta.rev, ':next': meta.rev + 1, ':gen': meta.keyGeneration },
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD' as const,
    },
  });
  roles.push({ kind: 'meta' });
  for (const a of plan.ancestors) {
    items.push({ ConditionCheck: { TableName: db.table, Key: keys.groupMeta(a.groupId), ConditionExpression: 'rev = :rev', ExpressionAttributeValues: { ':rev': a.rev } } });
    roles.push({ kind: 'ancestor' });
  }
  for (const m of plan.members) {
    items.push({ Put: { TableName: db.table, Item: memberItem(m), ConditionExpression: 'attribute_not_exists(pk)' } });
    roles.push({ kind: 'member', principalId: m.principalId });
    const userId = principal.userIdOf(m.principalId);
    const groupId = principal.groupIdOf(m.principalId);
    if (userId) items.push(putPrincipalSetItem(db, userId, plan.userSets.get(userId)!));
    else if (groupId) items.push(setSupergroupsItem(db, groupId, plan.groupSupergroups.get(groupId)!, true));
    roles.push({ kind: 'other' });
  }
  await dynamo(
    () => transactWrite(db, items as never),
    (error) => {
      const reasons = cancellationReasons(error);
      if (!reasons) return;
      const already = roles.filter((r, i) => r.kind === 'member' && reasons[i]?.code === 'ConditionalCheckFailed').map((r) => r.principalId!);
      if (already.length > 0) {
        throw new Conflict('ALREADY_MEMBER', `Already members: ${already.join(', ')}. Nothing was changed.`, { principalIds: already });
      }
      const old = reasons[0]?.item as Partial<GroupMeta> | undefined;
      if (reasons[0]?.code === 'ConditionalCheckFailed' && old?.keyGeneration !== undefined && old.keyGeneration !== meta.keyGeneration) {
        throw keyChanged();
      }
      throw concurrent();
    },
  );
}

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
    const items = [
      {
        Update: {
          TableName: db.table,
          Key: keys.groupMeta(groupId),
          UpdateExpression: 'SET rev = :next, stagedRotation = :fp',
          ConditionExpression: 'rev = :rev AND keyGeneration = :gen',
          ExpressionAttributeValues: { ':rev': rev, ':next': rev + 1, ':gen': expected.keyGeneration, ':fp': fingerprint },
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD' as const,
        },
      },
      ...batch.map((w) => ({
        Update: {
          TableName: db.table,
          Key: keys.groupMember(groupId, w.principalId),
          UpdateExpression: 'SET staged = :s',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeValues: { ':s': { ...pick(w), fingerprint } },
        },
      })),
    ];
    await dynamo(
      () => transactWrite(db, items),
      (error) => {
        const reasons = cancellationReasons(error);
        if (!reasons) return;
        const old = reasons[0]?.item as Partial<GroupMeta> | undefined;
        if (reasons[0]?.code === 'ConditionalCheckFailed' && old?.keyGeneration !== undefined && old.keyGeneration !== expected.keyGeneration) {
          throw keyChanged();
        }
        throw concurrent();
      },
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
  const items: Record<string, unknown>[] = [
    {
      Update: {
        TableName: db.table,
        Key: keys.groupMeta(meta.groupId),
        UpdateExpression:
          'SET keyGeneration = :new, publicKey = :pk, fingerprint = :fp, sealedPrivateKey = :sealed, sealedPrivateKeys = :older, ' +
          'keyChain = :chain, memberCount = memberCount - :n, adminCount = adminCount - :a, rev = :next REMOVE stagedRotation',
        ConditionExpression: 'rev = :rev AND keyGeneration = :gen AND adminCount > :a',
        ExpressionAttributeValues: {
          ':new': rotation.keyGeneration,
          ':pk': rotation.publicKey,
          ':fp': rotation.fingerprint,
          ':sealed': rotation.sealedPrivateKey,
          ':older': { ...(meta.sealedPrivateKeys ?? {}), [old]: meta.sealedPrivateKey },
          ':chain': { ...(meta.keyChain ?? {}), [old]: rotation.chainWrap },
          ':n': plan.removed.length,
          ':a': removedAdmins,
          ':rev': plan.rev,
          ':next': plan.rev + 1,
          ':gen': meta.keyGeneration,
        },
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD' as const,
      },
    },
  ];
  for (const m of plan.removed) {
    items.push({ Delete: { TableName: db.table, Key: keys.groupMember(meta.groupId, m.principalId), ConditionExpression: 'attribute_exists(pk)' } });
    const userId = principal.userIdOf(m.principalId);
    const groupId = principal.groupIdOf(m.principalId);
    if (userId) items.push(putPrincipalSetItem(db, userId, plan.userSets.get(userId)!));
    else if (groupId) items.push(setSupergroupsItem(db, groupId, plan.groupSupergroups.get(groupId)!, true));
  }
  for (const w of plan.wraps) {
    items.push({
      Update: {
        TableName: db.table,
        Key: keys.groupMember(meta.groupId, w.principalId),
        UpdateExpression:
          w.principalKeyGeneration !== undefined
            ? 'SET wrappedSecret = :w, keyGeneration = :g, principalKeyGeneration = :p REMOVE staged'
            : 'SET wrappedSecret = :w, keyGeneration = :g REMOVE staged, principalKeyGeneration',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeValues: {
          ':w': w.wrappedSecret,
          ':g': w.keyGeneration,
          ...(w.principalKeyGeneration !== undefined ? { ':p': w.principalKeyGeneration } : {}),
        },
      },
    });
  }
  await dynamo(
    () => transactWrite(db, items as never),
    (error) => {
      const reasons = cancellationReasons(error);
      if (!reasons) return;
      const oldMeta = reasons[0]?.item as Partial<GroupMeta> | undefined;
      if (reasons[0]?.code === 'ConditionalCheckFailed' && oldMeta) {
        if (oldMeta.keyGeneration !== meta.keyGeneration) throw keyChanged();
        if (oldMeta.rev === plan.rev) throw new Conflict('LAST_ADMIN', 'A group keeps at least one admin: add or promote another admin first.');
      }
      throw concurrent();
    },
  );
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
        dynamo(
          () =>
            db.doc.send(
              new UpdateCommand({
                TableName: db.table,
                Key: keys.groupMember(groupId, p),
                UpdateExpression: p.startsWith('g:')
                  ? 'SET wrappedSecret = staged.wrappedSecret, keyGeneration = staged.keyGeneration, principalKeyGeneration = staged.principalKeyGeneration REMOVE staged'
                  : 'SET wrappedSecret = staged.wrappedSecret, keyGeneration = staged.keyGeneration REMOVE staged',
                ConditionExpression: 'staged.fingerprint = :fp',
                ExpressionAttributeValues: { ':fp': fingerprint },
              }),
            ),
          (error) => {
            if (isConditionFailure(error)) throw new ConditionLost();
          },
        ).catch((error: unknown) => {
          if (!(error instanceof ConditionLost)) throw error;
        }),
      ),
    );
  }
}

/** A condition that lost on purpose-tolerant paths (tidying, re-wraps): not an error for the caller. */
class ConditionLost extends Error {}

/**
 * Change a member's role. Guards: the group is at `rev` (so the caller's admin standing and
 * the admin count are current), the member exists, and a demotion leaves an admin.
 */
export async function changeMemberRole(db: Database, meta: GroupMeta, principalId: string, role: MemberRole, from: MemberRole): Promise<void> {
  if (role === from) return;
  const delta = role === 'admin' ? 1 : -1;
  await dynamo(
    () =>
      transactWrite(db, [
            {
              Update: {
                TableName: db.table,
                Key: keys.groupMeta(meta.groupId),
                UpdateExpression: 'SET adminCount = adminCount + :d, rev = :next',
                ConditionExpression: delta < 0 ? 'rev = :rev AND adminCount > :one' : 'rev = :rev',
                ExpressionAttributeValues: { ':d': delta, ':rev': meta.rev, ':next': meta.rev + 1, ...(delta < 0 ? { ':one': 1 } : {}) },
                ReturnValuesOnConditionCheckFailure: 'ALL_OLD' as const,
              },
            },
            {
              Update: {
                TableName: db.table,
                Key: keys.groupMember(meta.groupId, principalId),
                UpdateExpression: 'SET #role = :role',
                ConditionExpression: '#role = :from',
                ExpressionAttributeNames: { '#role': 'role' },
                ExpressionAttributeValues: { ':role': role, ':from': from },
              },
            },
          ]),
    (error) => {
      const reasons = cancellationReasons(error);
      if (!reasons) return;
      const old = reasons[0]?.item as Partial<GroupMeta> | undefined;
      if (reasons[0]?.code === 'ConditionalCheckFailed' && old?.rev === meta.rev) {
        throw new Conflict('LAST_ADMIN', 'A group keeps at least one admin: promote another admin first.');
      }
      throw concurrent();
    },
  );
}

/** Marks a propagation done. Guard: nobody changed the group since (a later change propagates itself). */
export async function clearPropagationPending(db: Database, groupId: string, rev: number): Promise<void> {
  await dynamo(
    () =>
      db.doc.send(
        new UpdateCommand({
          TableName: db.table,
          Key: keys.groupMeta(groupId),
          UpdateExpression: 'REMOVE propagationPending',
          ConditionExpression: 'rev = :rev',
          ExpressionAttributeValues: { ':rev': rev },
        }),
      ),
    (error) => {
      if (isConditionFailure(error)) throw new ConditionLost();
    },
  ).catch((error: unknown) => {
    if (!(error instanceof ConditionLost)) throw error;
  });
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
  const kinds = new Map(nodes.map((n) => [n.nodeId as string, n.kind as string]));
  const grants = items.map((i) => ({
    nodeId: i.nodeId as string,
    role: i.role as string,
    keyGeneration: i.keyGeneration as number,
    wrappedKey: i.wrappedKey as string,
    principalKeyGeneration: i.principalKeyGeneration as number,
    nodeKind: kinds.get(i.nodeId as string) === 'folder' ? ('folder' as const) : ('document' as const),
  }));
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
  const update = {
    TableName: db.table,
    Key: keys.grant(grant.nodeId, principal.group(groupId)),
    UpdateExpression: 'SET wrappedKey = :w, principalKeyGeneration = :p',
    ConditionExpression: 'attribute_exists(pk) AND keyGeneration = :k AND principalKeyGeneration < :p',
    ExpressionAttributeValues: { ':w': grant.wrappedKey, ':p': principalKeyGeneration, ':k': grant.keyGeneration },
  };
  if (nodeKind === 'folder') return appliedIf(() => writeItem(db, { Update: update }));
  const reasons = await guardedTransaction(db, [
    { Update: update },
    {
      Update: {
        TableName: db.table,
        Key: keys.nodeMeta(grant.nodeId),
        UpdateExpression: 'SET rotationDue = :due',
        ConditionExpression: 'attribute_exists(pk) AND kind = :document',
        ExpressionAttributeValues: { ':due': true, ':document': 'document' },
      },
    },
  ]);
  return reasons === undefined;
}

import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { Conflict } from '../../core/errors/index.js';
import type { Database } from './Database.js';
import { grantItem } from './documents.js';
import { cancellationReasons, dynamo, isConditionFailure } from './dynamoErrors.js';
import { indexKeys, keys } from './keys.js';
import { type KeyRotation, type Rewrap, writeKeyRotation } from './keyRotation.js';
import type { GrantItem, NodeMeta } from './nodes.js';
import { childPointerItem } from './tree.js';
import { concurrentUpdate, type Guard, guardChecks, itemId } from './guards.js';
import { transactWrite, writeItem } from './transactWrite.js';

/** A folder's META item: a node of kind `folder` (docs/permissions.md, "DynamoDB items"). */
export interface FolderMeta extends NodeMeta {
  kind: 'folder';
}

/** The folder a new node goes into, as the caller's check read it. */
export interface ParentCheck {
  parentId: string;
  rev: number;
  keyGeneration: number;
}

/**
 * Create: the folder's META, its creator's owner grant and, inside a folder, the pointer in
 * the parent's partition, all or nothing. Guards: the id is new; the parent is active and
 * unchanged (rev and key generation) since the check.
 */
export async function createFolder(
  db: Database,
  meta: FolderMeta,
  ownerGrant: GrantItem,
  parent?: ParentCheck,
  guards: readonly Guard[] = [],
): Promise<void> {
  const { pk, sk } = keys.nodeMeta(meta.nodeId);
  const items: unknown[] = [
    { Put: { TableName: db.table, Item: { pk, sk, type: 'node', ...meta }, ConditionExpression: 'attribute_not_exists(pk)' } },
    { Put: { TableName: db.table, Item: grantItem(ownerGrant), ConditionExpression: 'attribute_not_exists(pk)' } },
  ];
  if (parent) {
    items.push(
      { Put: { TableName: db.table, Item: childPointerItem(parent.parentId, meta.nodeId, 'folder', meta.createdAt) } },
      {
        ConditionCheck: {
          TableName: db.table,
          Key: keys.nodeMeta(parent.parentId),
          ConditionExpression: '#state = :active AND rev = :rev AND keyGeneration = :gen',
          ExpressionAttributeNames: { '#state': 'state' },
          ExpressionAttributeValues: { ':active': 'active', ':rev': parent.rev, ':gen': parent.keyGeneration },
        },
      },
      ...guardChecks(db, guards, new Set([itemId(keys.nodeMeta(parent.parentId))])),
    );
  }
  await dynamo(
    () => transactWrite(db, items as never),
    (error) => {
      const reasons = cancellationReasons(error);
      if (!reasons) return;
      if (reasons[0]?.code === 'ConditionalCheckFailed') throw new Conflict('FOLDER_EXISTS', 'A node with this id exists: generate a new id.');
      throw concurrentUpdate();
    },
  );
}

/**
 * Rename: a new encrypted name. Guards: the node is active and its key generation is the one
 * the name was encrypted under (a name under an old key would be unreadable to new holders);
 * the caller's authority (an ancestor's or principal set's rev) unchanged.
 */
export async function renameNode(
  db: Database,
  nodeId: string,
  change: { encryptedName: string; keyGeneration: number; nowIso: string },
  guards: readonly Guard[] = [],
): Promise<void> {
  const key = keys.nodeMeta(nodeId);
  await dynamo(
    () =>
      transactWrite(db, [
            {
              Update: {
                TableName: db.table,
                Key: key,
                UpdateExpression: 'SET encryptedName = :name, updatedAt = :now',
                ConditionExpression: '#state = :active AND keyGeneration = :gen',
                ExpressionAttributeNames: { '#state': 'state' },
                ExpressionAttributeValues: { ':name': change.encryptedName, ':now': change.nowIso, ':active': 'active', ':gen': change.keyGeneration },
              },
            },
            ...guardChecks(db, guards, new Set([itemId(key)])),
          ] as never),
    (error) => {
      const reasons = cancellationReasons(error);
      if (!reasons) return;
      if (reasons[0]?.code === 'ConditionalCheckFailed') throw keyGenerationChanged();
      throw concurrentUpdate();
    },
  );
}

export const keyGenerationChanged = () =>
  new Conflict('KEY_GENERATION_CHANGED', "The node's key changed: fetch it again and encrypt with the current key.");

export type { Rewrap };

/** Folder limit's write: a key rotation (keyRotation.ts) of the folder as read, with no kind-specific extras of its own. */
export type LimitWrite = Omit<KeyRotation, 'node' | 'meta' | 'checks'> & { folder: FolderMeta };

/**
 * Limited access on: the folder gets a new key generation (writeKeyRotation: the old key chained
 * under it, the name encrypted again under the new one, every direct grant re-wrapped) and stops
 * inheriting (no parent wrap), in one transaction.
 * Guard: the folder's rev and key generation are the ones read.
 */
export async function limitFolder(db: Database, write: LimitWrite): Promise<void> {
  const { folder, ...rotation } = write;
  await writeKeyRotation(db, {
    ...rotation,
    node: folder,
    meta: { set: ['#limited = :true'], remove: ['parentWrap', 'parentKeyGeneration'], names: { '#limited': 'limited' }, values: { ':true': true } },
  });
}

/**
 * Limited access off: the folder inherits again; its current key is wrapped under the parent's
 * current key. Guards: the folder's rev, and the parent's rev and key generation, as read.
 */
export async function unlimitFolder(
  db: Database,
  folder: FolderMeta,
  parent: ParentCheck,
  parentWrap: string,
  nowIso: string,
  guards: readonly Guard[] = [],
): Promise<void> {
  await dynamo(
    () =>
      transactWrite(db, [
            {
              Update: {
                TableName: db.table,
                Key: keys.nodeMeta(folder.nodeId),
                UpdateExpression: 'SET parentWrap = :wrap, parentKeyGeneration = :pgen, rev = rev + :one, updatedAt = :now REMOVE #limited',
                ConditionExpression: '#state = :active AND rev = :rev AND parentId = :parent',
                ExpressionAttributeNames: { '#state': 'state', '#limited': 'limited' },
                ExpressionAttributeValues: {
                  ':wrap': parentWrap,
                  ':pgen': parent.keyGeneration,
                  ':one': 1,
                  ':now': nowIso,
                  ':active': 'active',
                  ':rev': folder.rev,
                  ':parent': parent.parentId,
                },
              },
            },
            {
              ConditionCheck: {
                TableName: db.table,
                Key: keys.nodeMeta(parent.parentId),
                ConditionExpression: '#state = :active AND rev = :rev AND keyGeneration = :gen',
                ExpressionAttributeNames: { '#state': 'state' },
                ExpressionAttributeValues: { ':active': 'active', ':rev': parent.rev, ':gen': parent.keyGeneration },
              },
            },
            ...guardChecks(db, guards, new Set([itemId(keys.nodeMeta(folder.nodeId)), itemId(keys.nodeMeta(parent.parentId))])),
          ] as never),
    (error) => {
      if (cancellationReasons(error)) throw concurrentUpdate();
    },
  );
}

/**
 * Delete, step 1: mark the folder `deleting` (every node below it is invisible from here: an
 * ancestor that is not active hides a node). Left on the expiry index so the cleanup job
 * finishes a delete that stopped half-way. Guard: active, and the rev read.
 */
export async function markFolderDeleting(db: Database, folder: FolderMeta, nowIso: string): Promise<void> {
  const { pk, sk } = keys.nodeMeta(folder.nodeId);
  const expiry = indexKeys.byExpiry(nowIso, pk, sk);
  await dynamo(
    () =>
      writeItem(db, { Update: {
          TableName: db.table,
          Key: { pk, sk },
          UpdateExpression: 'SET #state = :deleting, updatedAt = :now, rev = rev + :one, gsi2pk = :expiry, gsi2sk = :esk',
          ConditionExpression: '#state = :active AND rev = :rev',
          ExpressionAttributeNames: { '#state': 'state' },
          ExpressionAttributeValues: {
            ':deleting': 'deleting',
            ':now': nowIso,
            ':one': 1,
            ':expiry': expiry.gsi2pk,
            ':esk': expiry.gsi2sk,
            ':active': 'active',
            ':rev': folder.rev,
          },
        } }),
    (error) => {
      if (isConditionFailure(error)) throw concurrentUpdate();
    },
  );
}

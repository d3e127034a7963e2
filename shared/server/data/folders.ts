import { Conflict } from '../../core/errors/index.js';
import type { Database } from './Database.js';
import { grantItem } from './documents.js';
import { type Condition, conditionCheck, isNew, putItem, updateItem } from './itemBuilders.js';
import { indexKeys, keys } from './keys.js';
import { type KeyRotation, type Rewrap, writeKeyRotation } from './keyRotation.js';
import { activeAtRev, type GrantItem, type NodeMeta } from './nodes.js';
import { childPointerItem } from './tree.js';
import { concurrentUpdate, type Guard, guardChecks, itemId } from './guards.js';
import { transact } from './transact.js';
import type { GuardedItem } from './transactItem.js';
import { increment } from './updateExpression.js';
import { writeGuarded } from './writeGuarded.js';

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
  const items: GuardedItem[] = [
    putItem(db, { ...keys.nodeMeta(meta.nodeId), type: 'node', ...meta }, {
      condition: isNew,
      onConditionFail: () => new Conflict('FOLDER_EXISTS', 'A node with this id exists: generate a new id.'),
    }),
    putItem(db, grantItem(ownerGrant), { condition: isNew }),
  ];
  if (parent) {
    items.push(
      putItem(db, childPointerItem(parent.parentId, meta.nodeId, 'folder', meta.createdAt)),
      conditionCheck(db, keys.nodeMeta(parent.parentId), { condition: parentUnchanged(parent) }),
      ...guardChecks(db, guards, new Set([itemId(keys.nodeMeta(parent.parentId))])),
    );
  }
  await transact(db, items, { otherwise: concurrentUpdate });
}

/** Guard: the parent folder is active and unchanged (rev and key generation) since the check. */
function parentUnchanged(parent: ParentCheck): Condition {
  return {
    expression: '#state = :active AND rev = :rev AND keyGeneration = :gen',
    names: { '#state': 'state' },
    values: { ':active': 'active', ':rev': parent.rev, ':gen': parent.keyGeneration },
  };
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
  await transact(
    db,
    [
      updateItem<NodeMeta>(db, key, { set: { encryptedName: change.encryptedName, updatedAt: change.nowIso } }, {
        condition: { expression: '#state = :active AND keyGeneration = :gen', names: { '#state': 'state' }, values: { ':active': 'active', ':gen': change.keyGeneration } },
        onConditionFail: keyGenerationChanged,
      }),
      ...guardChecks(db, guards, new Set([itemId(key)])),
    ],
    { otherwise: concurrentUpdate },
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
    meta: { set: { limited: true }, remove: ['parentWrap', 'parentKeyGeneration'] },
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
  await transact(
    db,
    [
      updateItem<FolderMeta>(
        db,
        keys.nodeMeta(folder.nodeId),
        { set: { parentWrap, parentKeyGeneration: parent.keyGeneration, rev: increment(1), updatedAt: nowIso }, remove: ['limited'] },
        {
          condition: {
            expression: '#state = :active AND rev = :rev AND parentId = :parent',
            names: { '#state': 'state' },
            values: { ':active': 'active', ':rev': folder.rev, ':parent': parent.parentId },
          },
        },
      ),
      conditionCheck(db, keys.nodeMeta(parent.parentId), { condition: parentUnchanged(parent) }),
      ...guardChecks(db, guards, new Set([itemId(keys.nodeMeta(folder.nodeId)), itemId(keys.nodeMeta(parent.parentId))])),
    ],
    { otherwise: concurrentUpdate },
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
  await writeGuarded(
    db,
    updateItem<FolderMeta>(db, { pk, sk }, { set: { state: 'deleting', updatedAt: nowIso, rev: increment(1), ...expiry } }, {
      condition: activeAtRev(folder.rev),
      onConditionFail: concurrentUpdate,
    }),
  );
}

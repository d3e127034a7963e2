import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { Conflict, NotFound } from '../../core/errors/index.js';
import { batchDeleteAll, queryAll } from './batchOperations.js';
import type { Database } from './Database.js';
import { dynamo } from './dynamoErrors.js';
import { type Condition, conditionCheck, type Guarding, isNew, putItem, updateItem } from './itemBuilders.js';
import { indexKeys, keys, prefixes } from './keys.js';
import { concurrentUpdate, type Guard, guardChecks, itemId } from './guards.js';
import type { NodeMeta } from './nodes.js';
import { transact, transactIfHolds } from './transact.js';
import { MAX_TRANSACTION_ITEMS } from './transactWrite.js';

/**
 * Document versions (docs/versions.md, "Items"): `NODE#<id>` / `VERSION#<9-digit version>`.
 * A version is reserved `pending`, goes `active` when its upload completes, and is `pruned`
 * (off every read at once) before its object and item are deleted.
 */
export type VersionState = 'pending' | 'active' | 'pruned';

/** How a pending version's ciphertext is being uploaded. */
export type UploadRecord = { kind: 'single' } | { kind: 'multipart'; uploadId: string; partSize: number; partCount: number };

export interface VersionItem {
  nodeId: string;
  version: number;
  /** Ciphertext bytes. */
  size: number;
  objectKey: string;
  /** The document key generation the content is encrypted under. */
  keyGeneration: number;
  createdBy: string;
  createdAt: string;
  /** Absent on items written before versions existed: active. */
  state?: VersionState;
  /** base64url SHA-256 over the stream header and every chunk's tag (docs/versions.md, "Integrity"). */
  digest?: string;
  completedAt?: string;
  /** While pending (versions after the first; the first version's upload is on the document's META). */
  upload?: UploadRecord;
  /** While pending or pruned: when the cleanup job may remove it (it is on the expiry index). */
  abandonAt?: string;
}



export const versionNotFound = () => new NotFound('VERSION_NOT_FOUND', 'No such version of this document.');
export const keyGenerationStale = (current: number) =>
  new Conflict('KEY_GENERATION_STALE', `The document key is at generation ${current}: fetch the document key again and encrypt under it.`, {
    keyGeneration: current,
  });
export const keyRotationRequired = () =>
  new Conflict('KEY_ROTATION_REQUIRED', 'Access was revoked and the document key not yet rotated: a manager must rotate it first (coffer rotate ID --key-only).');
const documentGone = () => new NotFound('DOCUMENT_NOT_FOUND', 'No such document, or you have no access to it.');

export function isActiveVersion(item: Pick<VersionItem, 'state'>): boolean {
  return item.state === undefined || item.state === 'active';
}

/** A version item with its keys, and its expiry-index keys while it carries `abandonAt`. */
export function versionItem(v: VersionItem) {
  const { pk, sk } = keys.nodeVersion(v.nodeId, v.version);
  return { pk, sk, type: 'version', ...v, ...(v.abandonAt ? indexKeys.byExpiry(v.abandonAt, pk, sk) : {}) };
}

/** One version item, strongly consistent, or undefined. */
export async function getVersion(db: Database, nodeId: string, version: number): Promise<VersionItem | undefined> {
  const out = await dynamo(() =>
    db.doc.send(new GetCommand({ TableName: db.table, Key: keys.nodeVersion(nodeId, version), ConsistentRead: true })),
  );
  return out.Item as VersionItem | undefined;
}

/** What createVersion read of the document: the transaction's conditions are these values. */
export interface ReservationRead {
  nodeId: string;
  keyGeneration: number;
  /** `nextVersion ?? currentVersion` as read. */
  lastVersion: number;
  /** Whether the META had `nextVersion` (absent on documents never versioned since). */
  hadNextVersion: boolean;
}

/**
 * Reserve the next version number (createVersion): `nextVersion` moves from the value read to
 * `item.version` and the pending version item is put, in one transaction. Guards: the document
 * is active, at the generation the content is encrypted under, with no rotation due, and
 * `nextVersion` is still the value read (optimistic concurrency); the caller's authority holds.
 * A lost race is 409 CONCURRENT_UPDATE (retry with a fresh read).
 */
export async function reserveVersion(db: Database, read: ReservationRead, item: VersionItem, guards: readonly Guard[], nowIso: string): Promise<void> {
  const metaKey = keys.nodeMeta(read.nodeId);
  await transact(
    db,
    [
      updateItem<VersionedMeta>(db, metaKey, { set: { nextVersion: item.version, updatedAt: nowIso } }, {
        condition: {
          expression: `#state = :active AND keyGeneration = :gen AND attribute_not_exists(rotationDue) AND ${
            read.hadNextVersion ? 'nextVersion = :last' : 'attribute_not_exists(nextVersion) AND currentVersion = :last'
          }`,
          names: { '#state': 'state' },
          values: { ':active': 'active', ':gen': read.keyGeneration, ':last': read.lastVersion },
        },
        returnOld: true,
        onConditionFail: (old) => {
          const now = old as Partial<VersionedMeta> | undefined;
          if (now?.state !== 'active') return documentGone();
          if (now.keyGeneration !== read.keyGeneration) return keyGenerationStale(now.keyGeneration as number);
          if (now.rotationDue) return keyRotationRequired();
          return undefined;
        },
      }),
      putItem(db, versionItem(item), { condition: isNew }),
      ...guardChecks(db, guards, new Set([itemId(metaKey)])),
    ],
    { otherwise: concurrentUpdate },
  );
}

/** What the completion of a pending version changes. */
export interface Activation {
  /** The pending version as read. */
  item: VersionItem;
  callerId: string;
  digest?: string;
  nowIso: string;
  /** The document's current version as read: the first attempt's decision (move up or not). */
  currentVersion: number;
}

/** Attempts when a concurrent completion moves the current version between our read and our write. */
const ACTIVATION_ATTEMPTS = 5;

/**
 * Complete a version: pending -> active, and the document's `currentVersion` and `size` move up
 * when it is newer than the current one, in one transaction. Guards: the version is still pending
 * and the caller's; the document is active and still at the version's key generation (a rotation
 * since the reservation is 409 KEY_GENERATION_STALE, nothing changed). Returns whether this
 * version is now the current one.
 */
export async function activateVersion(db: Database, activation: Activation): Promise<boolean> {
  const { item, nowIso } = activation;
  const versionKey = keys.nodeVersion(item.nodeId, item.version);
  const metaKey = keys.nodeMeta(item.nodeId);
  let current = activation.currentVersion;
  for (let attempt = 1; attempt <= ACTIVATION_ATTEMPTS; attempt++) {
    const moveUp = item.version > current;
    const metaGuard: Guarding & { condition: Condition } = {
      condition: {
        expression: `#state = :active AND keyGeneration = :gen AND currentVersion ${moveUp ? '<' : '>'} :n`,
        names: { '#state': 'state' },
        values: { ':active': 'active', ':gen': item.keyGeneration, ':n': item.version },
      },
      returnOld: true,
      onConditionFail: (old) => {
        const meta = old as Partial<VersionedMeta> | undefined;
        if (meta?.state !== 'active') return documentGone();
        if (meta.keyGeneration !== item.keyGeneration) return keyGenerationStale(meta.keyGeneration as number);
        return new CurrentVersionMoved(meta.currentVersion ?? current);
      },
    };
    try {
      await transact(
        db,
        [
          updateItem<VersionItem>(
            db,
            versionKey,
            { set: { state: 'active', completedAt: nowIso, digest: activation.digest }, remove: ['upload', 'abandonAt', 'gsi2pk', 'gsi2sk'] },
            {
              condition: { expression: '#state = :pending AND createdBy = :caller', names: { '#state': 'state' }, values: { ':pending': 'pending', ':caller': activation.callerId } },
              returnOld: true,
              onConditionFail: (old) => {
                const now = old as Partial<VersionItem> | undefined;
                return now?.createdBy === activation.callerId && isActiveVersion(now) ? new Conflict('UPLOAD_ALREADY_COMPLETED', 'This upload was already completed.') : uploadNotFound();
              },
            },
          ),
          moveUp
            ? updateItem<VersionedMeta>(db, metaKey, { set: { currentVersion: item.version, size: item.size, updatedAt: nowIso } }, metaGuard)
            : conditionCheck(db, metaKey, metaGuard),
        ],
        { retryConflicts: true },
      );
      return moveUp;
    } catch (error) {
      if (!(error instanceof CurrentVersionMoved)) throw error;
      // Another completion moved the current version: decide again from what it is now.
      current = error.currentVersion;
    }
  }
  throw concurrentUpdate();
}

/** Another completion moved the document's current version between our read and our write. */
class CurrentVersionMoved extends Error {
  constructor(readonly currentVersion: number) {
    super('current version moved');
  }
}

/** The META's version counters (DocumentMeta's; declared here because documents.ts imports this file). */
interface VersionedMeta extends NodeMeta {
  currentVersion: number;
  nextVersion?: number;
  size: number;
  rotationDue?: true;
}

export const uploadNotFound = () =>
  new NotFound('UPLOAD_NOT_FOUND', 'No pending upload of yours here (completed, abandoned or never started): start a new version.');

/** Every version item of a document (consistent, oldest first): retention and deletes read these. */
export async function listVersionItems(db: Database, nodeId: string): Promise<VersionItem[]> {
  return (await queryAll(db, {
    KeyConditionExpression: 'pk = :pk AND begins_with(sk, :v)',
    ExpressionAttributeValues: { ':pk': keys.nodePartition(nodeId), ':v': prefixes.version },
    ConsistentRead: true,
  })) as unknown as VersionItem[];
}

/**
 * List: one page of a document's active versions, newest first (pending and pruned ones are
 * skipped). `lastKey` is the position of the last version returned when more may follow.
 */
export async function listActiveVersions(
  db: Database,
  nodeId: string,
  limit: number,
  startKey?: { pk: string; sk: string },
): Promise<{ versions: VersionItem[]; lastKey?: { pk: string; sk: string } }> {
  const versions: VersionItem[] = [];
  let position: Record<string, unknown> | undefined = startKey;
  let more = true;
  while (versions.length <= limit && more) {
    const out = await dynamo(() =>
      db.doc.send(
        new QueryCommand({
          TableName: db.table,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :v)',
          FilterExpression: 'attribute_not_exists(#state) OR #state = :active',
          ExpressionAttributeNames: { '#state': 'state' },
          ExpressionAttributeValues: { ':pk': keys.nodePartition(nodeId), ':v': prefixes.version, ':active': 'active' },
          ScanIndexForward: false,
          ConsistentRead: true,
          Limit: limit + 1,
          ExclusiveStartKey: position,
        }),
      ),
    );
    versions.push(...((out.Items ?? []) as VersionItem[]));
    position = out.LastEvaluatedKey;
    more = position !== undefined;
  }
  if (versions.length <= limit && !more) return { versions };
  const page = versions.slice(0, limit);
  const last = page.at(-1);
  return last ? { versions: page, lastKey: keys.nodeVersion(nodeId, last.version) } : { versions: page };
}

/**
 * Retention, step 1: versions marked `pruned` (off every read at once) with their expiry entries
 * (`abandonAtIso`: when the cleanup job may finish them), in transactions of up to 99 versions.
 * Guards: each version is still active, and the document is active at the current version read
 * (which is never among them): a concurrent completion that moved it makes the batch fail, and
 * that completion prunes for itself. Returns the versions marked.
 */
export async function markVersionsPruned(
  db: Database,
  nodeId: string,
  versions: readonly number[],
  currentVersion: number,
  abandonAtIso: string,
): Promise<number[]> {
  const marked: number[] = [];
  const batch = MAX_TRANSACTION_ITEMS - 1;
  for (let i = 0; i < versions.length; i += batch) {
    const slice = versions.slice(i, i + batch).filter((v) => v !== currentVersion);
    if (slice.length === 0) continue;
    const held = await transactIfHolds(db, [
      conditionCheck(db, keys.nodeMeta(nodeId), {
        condition: { expression: '#state = :active AND currentVersion = :current', names: { '#state': 'state' }, values: { ':active': 'active', ':current': currentVersion } },
      }),
      ...slice.map((version) => {
        const key = keys.nodeVersion(nodeId, version);
        return updateItem<VersionItem>(db, key, { set: { state: 'pruned', abandonAt: abandonAtIso, ...indexKeys.byExpiry(abandonAtIso, key.pk, key.sk) } }, {
          condition: {
            expression: 'attribute_exists(pk) AND (attribute_not_exists(#state) OR #state = :active)',
            names: { '#state': 'state' },
            values: { ':active': 'active' },
          },
        });
      }),
    ]);
    if (!held) break;
    marked.push(...slice);
  }
  return marked;
}

/** Retention and cleanup, last step: the version items themselves (idempotent). */
export async function deleteVersionItems(db: Database, nodeId: string, versions: readonly number[]): Promise<void> {
  await batchDeleteAll(db, versions.map((v) => keys.nodeVersion(nodeId, v)));
}

import { randomBytes } from 'node:crypto';
import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { eventHash, GENESIS_HASH } from '../audit/eventHash.js';
import { Conflict } from '../../core/errors/index.js';
import type { AuditEvent, StoredAuditEvent } from '../../core/api/auditEvent.js';
import { queryPages } from './batchOperations.js';
import type { Database } from './Database.js';
import { dynamo } from './dynamoErrors.js';
import { isNew, putItem } from './itemBuilders.js';
import { sendGuarded } from './sendGuarded.js';
import type { TransactItem } from './transactItem.js';
import { indexKeys, keys, prefixes } from './keys.js';

/**
 * The audit chains (docs/audit.md, "Chains and shards"): `AUDIT_SHARDS` independent hash chains,
 * each in partition `AUDIT#<shard>` with a `HEAD`, its events at `SEQ#<seq>` and its signed
 * checkpoints at `CHECKPOINT#<seq>`. Every write here is guarded by a DynamoDB condition.
 */

/** Number of chains. Growing it is safe; shrinking it would hide chains from verify. */
export const AUDIT_SHARDS = 16;

/** Items an audited transaction adds to the caller's (DynamoDB allows 100 in all). */
export const AUDIT_TRANSACT_ITEMS = 2;

/** Every shard name, in order: `00`, `01`, ... */
export const auditShards: readonly string[] = Array.from({ length: AUDIT_SHARDS }, (_, i) => String(i).padStart(2, '0'));

/** The last event of a chain: seq 0 and the genesis hash before the first. */
export interface ChainHead {
  shard: string;
  seq: number;
  hash: string;
}

/** A signed checkpoint of a chain head (docs/audit.md, "Signed checkpoints"). */
export interface AuditCheckpoint {
  shard: string;
  seq: number;
  hash: string;
  at: string;
  /** SHA-256 (hex) of the signing key's SPKI. */
  keyId: string;
  /** ECDSA P-256 r || s, base64url. */
  signature: string;
}

/** A new event id: 128 random bits, hex. */
export const newAuditEventId = () => randomBytes(16).toString('hex');

/** Head read: the shard's `HEAD`, strongly consistent (the append's condition checks it anyway). */
export async function readChainHead(db: Database, shard: string): Promise<ChainHead> {
  const out = await dynamo(() => db.doc.send(new GetCommand({ TableName: db.table, Key: keys.auditHead(shard), ConsistentRead: true })));
  if (!out.Item) return { shard, seq: 0, hash: GENESIS_HASH };
  return { shard, seq: Number(out.Item.seq), hash: String(out.Item.hash) };
}

/** The two items of an append: the event and the moved head, and the stored event. */
export interface AppendItems {
  items: [TransactItem, TransactItem];
  stored: StoredAuditEvent;
}

/**
 * Append (for a TransactWrite): `SEQ#<n+1>` (guard: new) and `HEAD` moved to it (guard: still at
 * `n`, or absent for the first event), so of two writers that read the same head at most one
 * commits. The event's own fields cannot override the chain's (they are written last).
 */
export function appendItems(db: Database, head: ChainHead, event: AuditEvent, id: string): AppendItems {
  const seq = head.seq + 1;
  const unhashed = { type: 'audit', ...event, ...auditIndexKeys(event, id), id, shard: head.shard, seq, prevHash: head.hash };
  const hash = eventHash(unhashed);
  const stored = { ...unhashed, hash } as StoredAuditEvent & { type: string };
  const first = head.seq === 0;
  return {
    stored,
    items: [
      putItem(db, { ...keys.auditEvent(head.shard, seq), ...stored }, { condition: isNew }),
      // Written out by hand: the audit tests pin this item's placeholders (test/unit/audit/withAudit.test.ts).
      {
        Update: {
          TableName: db.table,
          Key: keys.auditHead(head.shard),
          UpdateExpression: 'SET #seq = :next, #hash = :hash, #type = :type, #shard = :shard',
          ConditionExpression: first ? 'attribute_not_exists(pk)' : '#seq = :seq',
          ExpressionAttributeNames: { '#seq': 'seq', '#hash': 'hash', '#type': 'type', '#shard': 'shard' },
          ExpressionAttributeValues: { ':next': seq, ':hash': hash, ':type': 'auditHead', ':shard': head.shard, ...(first ? {} : { ':seq': head.seq }) },
        },
      },
    ],
  };
}

/**
 * The query indexes of an event (docs/audit.md, "Queries"): by resource (gsi1), by actor (gsi2)
 * and, for guests and links, the external-access index (gsi3). Hashed like the rest of the event.
 */
export function auditIndexKeys(event: AuditEvent, id: string): Record<string, string> {
  return {
    ...(event.resourceId ? indexKeys.auditByResource(event.resourceId, event.category, event.at, id) : {}),
    ...(event.actorId ? indexKeys.auditByActor(event.actorId, event.at, id) : {}),
    ...(event.actorKind === 'guest' || event.actorKind === 'link' || event.operation === 'link.open' || event.operation === 'link.lock' ? indexKeys.auditExternal(event.at, id) : {}),
  };
}

/**
 * Verify: every item of a shard's partition, in sort-key order (checkpoints, then the head, then
 * the events), one page at a time (a query, never a scan), strongly consistent.
 */
export function chainPartition(db: Database, shard: string, pageSize = 500): AsyncGenerator<Record<string, unknown>[]> {
  return queryPages(db, {
    KeyConditionExpression: 'pk = :pk',
    ExpressionAttributeValues: { ':pk': keys.auditPartition(shard) },
    ConsistentRead: true,
    Limit: pageSize,
  });
}

/**
 * Checkpoint job: the events of a shard after `afterSeq`, in seq order, one page at a time (a
 * query on `SEQ#` keys above `afterSeq`).
 */
export function chainEventsAfter(db: Database, shard: string, afterSeq: number, pageSize = 500): AsyncGenerator<Record<string, unknown>[]> {
  return queryPages(db, {
    KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
    ExpressionAttributeValues: { ':pk': keys.auditPartition(shard), ':from': keys.auditEvent(shard, afterSeq + 1).sk, ':to': `${prefixes.auditEvent}\uffff` },
    ConsistentRead: true,
    Limit: pageSize,
  });
}

/** Checkpoint job: the latest checkpoint of a shard, or undefined (a query, newest first, one item). */
export async function latestCheckpoint(db: Database, shard: string): Promise<Record<string, unknown> | undefined> {
  const out = await dynamo(() =>
    db.doc.send(
      new QueryCommand({
        TableName: db.table,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :cp)',
        ExpressionAttributeValues: { ':pk': keys.auditPartition(shard), ':cp': prefixes.auditCheckpoint },
        ScanIndexForward: false,
        ConsistentRead: true,
        Limit: 1,
      }),
    ),
  );
  return out.Items?.[0];
}

/** Checkpoint job: store a signed checkpoint. Guard: none at this seq yet (else CHECKPOINT_EXISTS). */
export async function putCheckpoint(db: Database, checkpoint: AuditCheckpoint): Promise<void> {
  await sendGuarded(
    db,
    putItem(db, { ...keys.auditCheckpoint(checkpoint.shard, checkpoint.seq), type: 'auditCheckpoint', ...checkpoint }, {
      condition: isNew,
      onConditionFail: () => new Conflict('CHECKPOINT_EXISTS', 'This chain head is already checkpointed.'),
    }),
  );
}

/** Queries and tests: every stored event of every chain, ordered by time, then shard and seq. */
export async function readAuditEvents(db: Database): Promise<StoredAuditEvent[]> {
  const events: StoredAuditEvent[] = [];
  for (const shard of auditShards) {
    for await (const page of chainEventsAfter(db, shard, 0)) events.push(...(page as unknown as StoredAuditEvent[]));
  }
  return events.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : a.shard < b.shard ? -1 : a.shard > b.shard ? 1 : a.seq - b.seq));
}

import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { GENESIS_HASH } from '../audit/eventHash.js';
import { Conflict } from '../../core/errors/index.js';
import { queryPages } from './batchOperations.js';
import type { Database } from './Database.js';
import { dynamo } from './dynamoErrors.js';
import { type Condition, putItem } from './itemBuilders.js';
import { sendGuarded } from './sendGuarded.js';
import { keys } from './keys.js';

/**
 * The audit archive's cursors (docs/audit.md, "Archive"): per chain, the last archived seq and
 * its hash, and the range a run has claimed but not yet finished. Every write is a PutItem
 * guarded by a DynamoDB condition on the cursor as it was read, so of two runs at most one
 * moves it, and a claimed range is archived exactly as claimed, by whichever run gets to it.
 */

/** A claimed range: events `fromSeq`..`toSeq`, and whether the checkpoint at `toSeq` goes with them. */
export interface ArchiveRange {
  fromSeq: number;
  toSeq: number;
  withCheckpoint: boolean;
}

export interface ArchiveCursor {
  shard: string;
  /** The last archived seq: 0 before the first range. */
  seq: number;
  /** The hash of the event at `seq` (the genesis hash at 0): the next range's first `prevHash`. */
  hash: string;
  /** A range claimed and not yet recorded as archived. */
  pending?: ArchiveRange;
}

/** Archive job: a chain's cursor, strongly consistent (the writes' conditions check it anyway). */
export async function readArchiveCursor(db: Database, shard: string): Promise<ArchiveCursor> {
  const out = await dynamo(() => db.doc.send(new GetCommand({ TableName: db.table, Key: keys.auditArchiveCursor(shard), ConsistentRead: true })));
  if (!out.Item) return { shard, seq: 0, hash: GENESIS_HASH };
  const pending = out.Item.pending as ArchiveRange | undefined;
  return {
    shard,
    seq: Number(out.Item.seq),
    hash: String(out.Item.hash),
    ...(pending ? { pending: { fromSeq: Number(pending.fromSeq), toSeq: Number(pending.toSeq), withCheckpoint: Boolean(pending.withCheckpoint) } } : {}),
  };
}

/**
 * Archive job: claim the range after the cursor. Guard: the cursor is still at `cursor.seq` with
 * nothing pending (or absent), else ARCHIVE_CURSOR_MOVED: another run is ahead.
 */
export async function claimArchiveRange(db: Database, cursor: ArchiveCursor, range: ArchiveRange): Promise<ArchiveCursor> {
  if (cursor.pending || range.fromSeq !== cursor.seq + 1 || range.toSeq < range.fromSeq) throw new RangeError('claim the range right after an idle cursor');
  const next = { ...cursor, pending: range };
  await putCursor(db, next, {
    expression: 'attribute_not_exists(pk) OR (#seq = :seq AND attribute_not_exists(#pending))',
    names: { '#seq': 'seq', '#pending': 'pending' },
    values: { ':seq': cursor.seq },
  });
  return next;
}

/**
 * Archive job: record the claimed range as archived, its last event's hash as the cursor's.
 * Guard: the cursor still holds that very claim, else ARCHIVE_CURSOR_MOVED (another run
 * finished it first: it archived the same object).
 */
export async function advanceArchiveCursor(db: Database, cursor: ArchiveCursor, lastHash: string): Promise<ArchiveCursor> {
  const range = cursor.pending;
  if (!range) throw new RangeError('nothing claimed to advance past');
  const next: ArchiveCursor = { shard: cursor.shard, seq: range.toSeq, hash: lastHash };
  await putCursor(db, next, {
    expression: '#seq = :seq AND #pending.#from = :from AND #pending.#to = :to',
    names: { '#seq': 'seq', '#pending': 'pending', '#from': 'fromSeq', '#to': 'toSeq' },
    values: { ':seq': cursor.seq, ':from': range.fromSeq, ':to': range.toSeq },
  });
  return next;
}

async function putCursor(db: Database, cursor: ArchiveCursor, condition: Condition): Promise<void> {
  await sendGuarded(
    db,
    putItem(db, { ...keys.auditArchiveCursor(cursor.shard), type: 'auditArchiveCursor', ...cursor }, {
      condition,
      onConditionFail: () => new Conflict('ARCHIVE_CURSOR_MOVED', 'Another run moved the archive cursor.'),
    }),
  );
}

/** Archive job: the stored events `fromSeq`..`toSeq` of a chain, in seq order (a query on the `SEQ#` keys in that range). */
export async function readChainRange(db: Database, shard: string, fromSeq: number, toSeq: number): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  for await (const page of queryPages(db, {
    KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
    ExpressionAttributeValues: { ':pk': keys.auditPartition(shard), ':from': keys.auditEvent(shard, fromSeq).sk, ':to': keys.auditEvent(shard, toSeq).sk },
    ConsistentRead: true,
    Limit: 500,
  })) {
    items.push(...page);
  }
  return items;
}

/** Archive job: the stored checkpoint of a chain at `seq`, or undefined. */
export async function readCheckpointAt(db: Database, shard: string, seq: number): Promise<Record<string, unknown> | undefined> {
  const out = await dynamo(() => db.doc.send(new GetCommand({ TableName: db.table, Key: keys.auditCheckpoint(shard, seq), ConsistentRead: true })));
  return out.Item;
}

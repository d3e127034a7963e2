import { BatchGetCommand, BatchWriteCommand, type BatchWriteCommandInput, QueryCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import type { Database } from './Database.js';
import { dynamo } from './dynamoErrors.js';

type Key = Record<string, unknown>;
type WriteRequests = NonNullable<BatchWriteCommandInput['RequestItems']>[string];

const backoff = (attempt: number) => new Promise((r) => setTimeout(r, Math.min(1000, 20 * 2 ** attempt)));

/** BatchGet of any number of keys: 100 per request, unprocessed keys retried with backoff. */
export async function batchGetAll(db: Database, keys: Key[], consistentRead = false): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  for (let i = 0; i < keys.length; i += 100) {
    let pending: Key[] = keys.slice(i, i + 100);
    for (let attempt = 0; pending.length > 0; attempt++) {
      if (attempt > 0) await backoff(attempt);
      const out = await dynamo(() =>
        db.doc.send(new BatchGetCommand({ RequestItems: { [db.table]: { Keys: pending, ConsistentRead: consistentRead } } })),
      );
      items.push(...(out.Responses?.[db.table] ?? []));
      pending = (out.UnprocessedKeys?.[db.table]?.Keys ?? []) as Key[];
    }
  }
  return items;
}

/** Deletes any number of items: 25 per BatchWrite, unprocessed items retried. Idempotent. */
export async function batchDeleteAll(db: Database, keys: { pk: unknown; sk: unknown }[]): Promise<void> {
  for (let i = 0; i < keys.length; i += 25) {
    let pending: WriteRequests = keys.slice(i, i + 25).map((k) => ({ DeleteRequest: { Key: { pk: k.pk, sk: k.sk } } }));
    for (let attempt = 0; pending.length > 0; attempt++) {
      if (attempt > 0) await backoff(attempt);
      const out = await dynamo(() => db.doc.send(new BatchWriteCommand({ RequestItems: { [db.table]: pending } })));
      pending = out.UnprocessedItems?.[db.table] ?? [];
    }
  }
}

/**
 * A query's non-empty pages, fetched as the caller consumes them (so it may stop early), for
 * partitions of any size.
 */
export async function* queryPages(db: Database, input: Omit<QueryCommandInput, 'TableName' | 'ExclusiveStartKey'>): AsyncGenerator<Record<string, unknown>[]> {
  let startKey: Key | undefined;
  do {
    const out = await dynamo(() => db.doc.send(new QueryCommand({ ...input, TableName: db.table, ExclusiveStartKey: startKey })));
    if (out.Items && out.Items.length > 0) yield out.Items;
    startKey = out.LastEvaluatedKey;
  } while (startKey);
}

/** Every page of a query (for bounded partitions: one node's items). */
export async function queryAll(db: Database, input: Omit<QueryCommandInput, 'TableName' | 'ExclusiveStartKey'>): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  for await (const page of queryPages(db, input)) items.push(...page);
  return items;
}

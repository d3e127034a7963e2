import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { AuditCategory, StoredAuditEvent } from '../../core/api/auditEvent.js';
import type { Database } from './Database.js';
import { dynamo } from './dynamoErrors.js';
import { indexKeys, keys } from './keys.js';
import type { IndexName } from './tableDefinition.js';

/**
 * The audit queries (docs/audit.md, "Queries"): one page of events on one index, oldest first,
 * within [since, until). Queries only, never a scan; the event items carry their index keys
 * (set at write time, inside the hash), so no other item ever sits in these partitions.
 */

/** Which events: one resource's (optionally one category), one actor's, or the external-access report. */
export type AuditQuery =
  | { by: 'resource'; resourceId: string; category?: AuditCategory | undefined }
  | { by: 'actor'; actorId: string }
  | { by: 'external' };

export interface AuditRange {
  /** ISO instants, as stored (`Date.toISOString()`); `until` is exclusive. */
  since?: string | undefined;
  until?: string | undefined;
}

/** Where a query reads: its index, that index's attribute names, its partition and its sort-key bounds. */
export interface AuditQueryPlan {
  index: IndexName;
  pkName: string;
  skName: string;
  partition: string;
  /** Sort-key bounds; absent for a resource query without a category (the whole partition). */
  range?: { from: string; to: string };
  /** Only a resource query without a category: its sort keys start with the category, so time is filtered. */
  filterTime: boolean;
}

/** The index, partition and bounds of a query (every key through shared/server/data/keys.ts). */
export function auditQueryPlan(query: AuditQuery, range: AuditRange): AuditQueryPlan {
  switch (query.by) {
    case 'resource': {
      // "Who accessed this document since D": `access#…`; "the permission history": `permission#…`.
      const partition = indexKeys.auditResourcePartition(query.resourceId);
      if (!query.category) return { index: 'gsi1', pkName: 'gsi1pk', skName: 'gsi1sk', partition, filterTime: true };
      return { index: 'gsi1', pkName: 'gsi1pk', skName: 'gsi1sk', partition, range: indexKeys.auditTimeRange(`${query.category}#`, range.since, range.until), filterTime: false };
    }
    case 'actor':
      // "Everything a user did since D".
      return { index: 'gsi2', pkName: 'gsi2pk', skName: 'gsi2sk', partition: indexKeys.auditActorPartition(query.actorId), range: indexKeys.auditTimeRange('', range.since, range.until), filterTime: false };
    case 'external':
      // Guests' requests and link opens and locks.
      return { index: 'gsi3', pkName: 'gsi3pk', skName: 'gsi3sk', partition: indexKeys.auditExternalPartition, range: indexKeys.auditTimeRange('', range.since, range.until), filterTime: false };
  }
}

export interface AuditPage {
  events: StoredAuditEvent[];
  /** Where the next page starts (DynamoDB's LastEvaluatedKey); absent on the last page. */
  lastKey?: Record<string, unknown>;
}

/**
 * One page of a query, oldest first. A resource query without a category is ordered by category,
 * then time, and filters on `at` (a page may then hold fewer than `limit` events, or none, and
 * still have a next one).
 */
export async function queryAuditEvents(db: Database, plan: AuditQueryPlan, range: AuditRange, limit: number, startKey?: Record<string, unknown>): Promise<AuditPage> {
  const filter = plan.filterTime && (range.since || range.until);
  const out = await dynamo(() =>
    db.doc.send(
      new QueryCommand({
        TableName: db.table,
        IndexName: plan.index,
        KeyConditionExpression: plan.range ? '#pk = :pk AND #sk BETWEEN :from AND :to' : '#pk = :pk',
        ...(filter ? { FilterExpression: '#at >= :since AND #at < :until' } : {}),
        ExpressionAttributeNames: { '#pk': plan.pkName, ...(plan.range ? { '#sk': plan.skName } : {}), ...(filter ? { '#at': 'at' } : {}) },
        ExpressionAttributeValues: {
          ':pk': plan.partition,
          ...(plan.range ? { ':from': plan.range.from, ':to': plan.range.to } : {}),
          ...(filter ? { ':since': range.since ?? '0', ':until': range.until ?? '\uffff' } : {}),
        },
        ScanIndexForward: true,
        Limit: limit,
        ExclusiveStartKey: startKey,
      }),
    ),
  );
  return { events: (out.Items ?? []).map(publicEvent), ...(out.LastEvaluatedKey ? { lastKey: out.LastEvaluatedKey } : {}) };
}

const STORAGE_ATTRIBUTES: ReadonlySet<string> = new Set(['pk', 'sk', 'type', 'gsi1pk', 'gsi1sk', 'gsi2pk', 'gsi2sk', 'gsi3pk', 'gsi3sk']);

/**
 * An event as the API returns it: without its table and index keys (they are derived from the
 * event), with its chain fields (`shard`, `seq`, `prevHash`, `hash`) so a reader can find it in
 * its chain. Note: the stored hash covers the index keys too; `verify` checks the stored items.
 */
export function publicEvent(item: Record<string, unknown>): StoredAuditEvent {
  const event: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(item)) if (!STORAGE_ATTRIBUTES.has(name)) event[name] = value;
  return event as unknown as StoredAuditEvent;
}

/** Owner check of a resource query: the owner of node `nodeId` now (strongly consistent: a transfer applies at once), or undefined (no such node, or deleted). */
export async function nodeOwnerOf(db: Database, nodeId: string): Promise<string | undefined> {
  const out = await dynamo(() => db.doc.send(new GetCommand({ TableName: db.table, Key: keys.nodeMeta(nodeId), ProjectionExpression: 'ownerId', ConsistentRead: true })));
  return typeof out.Item?.ownerId === 'string' ? out.Item.ownerId : undefined;
}

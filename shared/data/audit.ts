import { randomBytes } from 'node:crypto';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import type { Database } from './Database.js';
import { dynamo } from './dynamoErrors.js';
import { keys } from './keys.js';

/**
 * One audited event: a guest's request (docs/permissions.md), a link event or a cleanup
 * action (docs/links.md). It names who did what to which ids and how it ended; never a
 * token, secret, proof, body or query string.
 */
export interface AuditEvent {
  /** ISO instant the outcome was known. */
  at: string;
  /** A user id; '' for anonymous callers and the system. */
  actorId: string;
  actorKind: 'member' | 'guest' | 'anonymous' | 'system';
  /** The route's operation name (shared/routes.ts) or an action such as `link.open`. */
  operation: string;
  /** For requests: the method and the route's path template (`/documents/{id}`: ids are in `targets`). */
  method?: string;
  path?: string;
  /** The ids the event was about. */
  targets: Record<string, string>;
  status: number;
  /** The error code of a refused or failed request. */
  errorCode?: string;
  /** Small, never secret, facts about the event (a lock's end, a cleanup's reason). */
  details?: Record<string, string | number | boolean>;
  requestId: string;
  sourceIp: string;
}

/** The item an event is stored as: for a TransactWrite `Put` next to the change it records. */
export function auditItem(event: AuditEvent): Record<string, unknown> {
  const key = keys.auditEvent(event.at.slice(0, 10), `${event.at}#${randomBytes(8).toString('hex')}`);
  return { ...key, type: 'audit', ...event };
}

/**
 * Append an event to its day's partition (`AUDIT#<yyyy-mm-dd>`, sort key `<iso>#<random>`).
 * Guard: never overwrites. Throws SERVICE_UNAVAILABLE when the write fails.
 * Issue 6 replaces this one function with a tamper-evident (hash-chained) writer.
 */
export async function recordAudit(db: Database, event: AuditEvent): Promise<void> {
  await dynamo(() =>
    db.doc.send(
      new PutCommand({
        TableName: db.table,
        Item: auditItem(event),
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    ),
  );
}

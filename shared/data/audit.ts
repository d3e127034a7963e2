import { randomBytes } from 'node:crypto';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import type { Database } from './Database.js';
import { dynamo } from './dynamoErrors.js';
import { keys } from './keys.js';

/**
 * One audited request (docs/permissions.md: every guest request is recorded). It names
 * who did what to which ids and how it ended; never a token, a body or a query string.
 */
export interface AuditEvent {
  /** ISO instant the outcome was known. */
  at: string;
  actorId: string;
  actorKind: 'member' | 'guest';
  /** The route's operation name (shared/routes.ts). */
  operation: string;
  method: string;
  /** The route's path template, `/documents/{id}`: ids are in `targets`. */
  path: string;
  /** The path parameters: the ids the request was about. */
  targets: Record<string, string>;
  status: number;
  /** The error code of a refused or failed request. */
  errorCode?: string;
  requestId: string;
  sourceIp: string;
}

/**
 * Append an event to its day's partition (`AUDIT#<yyyy-mm-dd>`, sort key `<iso>#<random>`).
 * Guard: never overwrites. Throws SERVICE_UNAVAILABLE when the write fails.
 * Issue 6 replaces this one function with a tamper-evident (hash-chained) writer.
 */
export async function recordAudit(db: Database, event: AuditEvent): Promise<void> {
  const key = keys.auditEvent(event.at.slice(0, 10), `${event.at}#${randomBytes(8).toString('hex')}`);
  await dynamo(() =>
    db.doc.send(
      new PutCommand({
        TableName: db.table,
        Item: { ...key, type: 'audit', ...event },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    ),
  );
}

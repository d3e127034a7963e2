import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { DeleteCommand, PutCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { withAudit } from '../audit/withAudit.js';
import { currentAuditScope } from '../audit/requestAudit.js';
import { AUDIT_TRANSACT_ITEMS } from './auditChain.js';
import type { Database } from './Database.js';
import { cancellationReasons } from './dynamoErrors.js';
import type { TransactItem } from './transactItem.js';

/**
 * Items a caller may put in one transaction: DynamoDB's 100, less the two an audited request's
 * event adds (docs/audit.md, "One event per action").
 */
export const MAX_TRANSACTION_ITEMS = 100 - AUDIT_TRANSACT_ITEMS;

/**
 * Every transaction of the data layer goes through here (docs/audit.md, "One event per action").
 * In an audited request whose event is not written yet, the event is appended to an audit chain
 * in this same transaction: the change and its record commit together or not at all. The audit
 * items come after the caller's, so cancellation reasons keep the caller's indexes, and every
 * error but a lost race for the chain head reaches the caller unchanged.
 */
export async function transactWrite(db: Database, items: TransactItem[]): Promise<void> {
  const scope = currentAuditScope();
  if (!scope || scope.written || scope.claimed) {
    await db.doc.send(new TransactWriteCommand({ TransactItems: items }));
    return;
  }
  scope.claimed = true;
  try {
    await withAudit(db, scope.event(), (audit) => [...items, ...audit]);
  } finally {
    scope.claimed = false;
  }
}

/** One conditional write (a Put, Update or Delete) that is the whole change of an audited action. */
export type WriteItem = { Put: NonNullable<TransactItem['Put']> } | { Update: NonNullable<TransactItem['Update']> } | { Delete: NonNullable<TransactItem['Delete']> };

/**
 * A single-item write: sent as itself, or, when it carries an audited request's event, as a
 * transaction with the event. Either way a failed condition throws ConditionalCheckFailedException
 * (with the old item when asked for), so callers handle one error whichever way it went.
 */
export async function writeItem(db: Database, item: WriteItem): Promise<void> {
  const scope = currentAuditScope();
  if (!scope || scope.written || scope.claimed) {
    if ('Put' in item) await db.doc.send(new PutCommand(item.Put));
    else if ('Update' in item) await db.doc.send(new UpdateCommand(item.Update));
    else await db.doc.send(new DeleteCommand(item.Delete));
    return;
  }
  try {
    await transactWrite(db, [item]);
  } catch (error) {
    const reason = cancellationReasons(error)?.[0];
    if (reason?.code === 'ConditionalCheckFailed') {
      throw new ConditionalCheckFailedException({ $metadata: {}, message: 'The conditional request failed', ...(reason.item ? { Item: marshall(reason.item) } : {}) });
    }
    throw error;
  }
}

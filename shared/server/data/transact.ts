import type { AuditEvent } from '../../core/api/auditEvent.js';
import { withAudit } from '../audit/withAudit.js';
import type { Database } from './Database.js';
import { type CancellationAnswers, cancellationError, explainCancellation } from './dynamoErrors.js';
import { guardedTransaction } from './guardedTransaction.js';
import type { GuardedItem, TransactItem } from './transactItem.js';
import { transactWrite } from './transactWrite.js';

export interface TransactOptions extends CancellationAnswers {
  /** Retry lost races (see below); not with `event`. */
  retryConflicts?: boolean;
  /** The action's own audit event, appended in the same transaction (withAudit), rather than the request's. */
  event?: AuditEvent;
}

/**
 * Runs a guarded transaction (through transactWrite, so an audited request's event commits with
 * it). A failed condition throws the domain error its item declared (dynamoErrors.ts,
 * `cancellationError`), so no call site reads cancellation reasons. With `retryConflicts`, the
 * transaction runs as a guardedTransaction: one that met a concurrent transaction on the same
 * item and failed no condition is retried, any other cancellation without a failed condition
 * is ServiceUnavailable.
 */
export async function transact(db: Database, items: readonly GuardedItem[], answers: TransactOptions = {}): Promise<void> {
  if (answers.retryConflicts && !answers.event) {
    const reasons = await guardedTransaction(db, items.map(withoutHandler));
    if (reasons) throw explainCancellation(reasons, items, answers);
    return;
  }
  const sent = items.map(withoutHandler);
  try {
    if (answers.event) await withAudit(db, answers.event, (audit) => [...sent, ...audit]);
    else await transactWrite(db, sent);
  } catch (error) {
    throw cancellationError(error, items, answers);
  }
}

/**
 * A guarded transaction where a condition that does not hold is an answer, not an error:
 * whether it committed (lost races retried as guardedTransaction does).
 */
export async function transactIfHolds(db: Database, items: readonly GuardedItem[]): Promise<boolean> {
  return (await guardedTransaction(db, items.map(withoutHandler))) === undefined;
}

/** The item as DynamoDB takes it: the handler stays with us. */
export function withoutHandler(item: GuardedItem): TransactItem {
  const { onConditionFail: _handler, ...sent } = item;
  return sent;
}

import { ServiceUnavailable } from '../../core/errors/index.js';
import type { Database } from './Database.js';
import { type CancellationAnswers, cancellationError, cancellationReasons } from './dynamoErrors.js';
import type { GuardedItem, TransactItem } from './transactItem.js';
import { transactWrite } from './transactWrite.js';

/** Attempts of a transaction that only lost a race for an item (TransactionConflict), with `retryConflicts`. */
const CONFLICT_ATTEMPTS = 6;

/**
 * Runs a guarded transaction (through transactWrite, so an audited request's event commits with
 * it). A failed condition throws the domain error its item declared (dynamoErrors.ts,
 * `cancellationError`), so no call site reads cancellation reasons. With `retryConflicts`, a
 * transaction that met a concurrent one on the same item and failed no condition is retried
 * with jittered backoff (the other one's outcome decides whether the conditions still hold), and
 * any other cancellation without a failed condition is ServiceUnavailable.
 */
export async function transact(db: Database, items: readonly GuardedItem[], answers: CancellationAnswers & { retryConflicts?: boolean } = {}): Promise<void> {
  const sent = items.map(withoutHandler);
  for (let attempt = 1; ; attempt++) {
    try {
      await transactWrite(db, sent);
      return;
    } catch (error) {
      const reasons = cancellationReasons(error);
      if (!answers.retryConflicts || !reasons || reasons.some((r) => r.code === 'ConditionalCheckFailed')) throw cancellationError(error, items, answers);
      // No condition failed: only a lost race is worth another attempt.
      if (!reasons.some((r) => r.code === 'TransactionConflict') || attempt >= CONFLICT_ATTEMPTS) throw new ServiceUnavailable();
      await new Promise((r) => setTimeout(r, Math.random() * 25 * 2 ** attempt));
    }
  }
}

/** The item as DynamoDB takes it: the handler stays with us. */
export function withoutHandler(item: GuardedItem): TransactItem {
  const { onConditionFail: _handler, ...sent } = item;
  return sent;
}

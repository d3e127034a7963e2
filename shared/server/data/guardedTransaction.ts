import { ServiceUnavailable } from '../../core/errors/index.js';
import type { Database } from './Database.js';
import { type CancellationReason, cancellationReasons } from './dynamoErrors.js';
import type { TransactItem } from './transactItem.js';
import { transactWrite } from './transactWrite.js';

/** Attempts of a transaction that only lost a race for an item (TransactionConflict). */
const CONFLICT_ATTEMPTS = 6;

export const conditionFailed = (reason: CancellationReason | undefined) => reason?.code === 'ConditionalCheckFailed';

/**
 * Runs a guarded transaction. Resolves `undefined` when it committed, or the cancellation
 * reasons when a condition failed. A transaction that met a concurrent one on the same item
 * (TransactionConflict) is retried with jittered backoff: the other one's outcome decides
 * whether the condition still holds. Anything else is ServiceUnavailable.
 */
export async function guardedTransaction(db: Database, items: TransactItem[]): Promise<CancellationReason[] | undefined> {
  for (let attempt = 1; ; attempt++) {
    try {
      await transactWrite(db, items);
      return undefined;
    } catch (error) {
      const reasons = cancellationReasons(error);
      if (!reasons) throw new ServiceUnavailable();
      if (reasons.some(conditionFailed)) return reasons;
      if (!reasons.some((r) => r.code === 'TransactionConflict') || attempt >= CONFLICT_ATTEMPTS) throw new ServiceUnavailable();
      await new Promise((r) => setTimeout(r, Math.random() * 25 * 2 ** attempt));
    }
  }
}

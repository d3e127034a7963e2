import type { AuditEvent } from '../../core/api/auditEvent.js';
import type { Database } from '../data/Database.js';
import { type CancellationReason, cancellationReasons } from '../data/dynamoErrors.js';
import { conditionFailed } from '../data/guardedTransaction.js';
import type { TransactItem } from '../data/transactItem.js';
import { CofferError, ServiceUnavailable } from '../../core/errors/index.js';
import { type AuditItems, withAudit } from './withAudit.js';

/** Attempts of a transaction that only lost a race for one of the caller's items (TransactionConflict). */
const CONFLICT_ATTEMPTS = 6;

/**
 * `guardedTransaction` with its event (shared/server/data/guardedTransaction.ts): resolves `undefined`
 * when the change and its event committed, or the cancellation reasons (indexed as the items
 * `build` returned) when one of the caller's conditions failed. A conflict on one of the
 * caller's items is retried with jittered backoff; a lost race for the chain head is retried by
 * `withAudit`. Anything else is ServiceUnavailable.
 */
export async function auditedTransaction(
  db: Database,
  event: AuditEvent,
  build: (audit: AuditItems) => TransactItem[],
): Promise<CancellationReason[] | undefined> {
  for (let attempt = 1; ; attempt++) {
    try {
      await withAudit(db, event, build);
      return undefined;
    } catch (error) {
      const reasons = cancellationReasons(error);
      if (!reasons) throw error instanceof CofferError ? error : new ServiceUnavailable();
      if (reasons.some(conditionFailed)) return reasons;
      if (!reasons.some((r) => r.code === 'TransactionConflict') || attempt >= CONFLICT_ATTEMPTS) throw new ServiceUnavailable();
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 25 * 2 ** attempt));
    }
  }
}

import { randomInt } from 'node:crypto';
import { TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { AuditEvent, StoredAuditEvent } from '../../core/api/auditEvent.js';
import { appendItems, auditShards, newAuditEventId, readChainHead } from '../data/auditChain.js';
import type { Database } from '../data/Database.js';
import { cancellationReasons } from '../data/dynamoErrors.js';
import type { TransactItem } from '../data/transactItem.js';
import { ServiceUnavailable } from '../../core/errors/index.js';
import { currentAuditScope } from './requestAudit.js';

/** Attempts at appending one event before giving up (each after a lost race for a chain head). */
const APPEND_ATTEMPTS = 30;

/** DynamoDB's limit on the items of one transaction: an audited caller has 98 of them. */
const MAX_TRANSACT_ITEMS = 100;

/** The two items an audited transaction must include (docs/audit.md, "Writing"). */
export type AuditItems = readonly TransactItem[];

/**
 * Runs the caller's transaction with `event` appended to an audit chain, in the same
 * transaction: `build` gets the two audit items and returns every item to send (the caller's
 * and those two; at most 100 in all, so the caller's at most 98).
 *
 * Each attempt reads the head of a random shard. When the transaction is cancelled only
 * because of the audit items (another writer took that seq first), nothing was applied, and
 * it is rebuilt on a fresh head and resent, with jittered backoff. Any other error (a
 * condition or a conflict on one of the caller's items, a network failure) is thrown unchanged,
 * so call sites keep their own error handling. Too many lost races: SERVICE_UNAVAILABLE, with
 * nothing applied (audited or refused).
 */
export async function withAudit(db: Database, event: AuditEvent, build: (audit: AuditItems) => TransactItem[]): Promise<StoredAuditEvent> {
  const id = newAuditEventId();
  for (let attempt = 1; ; attempt++) {
    const shard = auditShards[randomInt(auditShards.length)]!;
    const append = appendItems(db, await readChainHead(db, shard), event, id);
    const items = build(append.items);
    const auditPositions = append.items.map((item) => items.indexOf(item));
    // Do not remove: an audited transaction without its two audit items would record nothing.
    if (auditPositions.some((p) => p < 0)) throw new TypeError('withAudit: build must include both audit items');
    if (items.length > MAX_TRANSACT_ITEMS) throw new RangeError(`withAudit: at most ${MAX_TRANSACT_ITEMS - append.items.length} items of the caller's`);
    try {
      await db.doc.send(new TransactWriteCommand({ TransactItems: items }));
      // The request this runs for (if audited) now has its event.
      const scope = currentAuditScope();
      if (scope) scope.written = event.outcome;
      return append.stored;
    } catch (error) {
      if (!lostHeadRace(error, auditPositions)) throw error;
      if (attempt >= APPEND_ATTEMPTS) throw new ServiceUnavailable();
      await new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(200, 5 * 2 ** attempt)));
    }
  }
}

/** A cancellation whose only failed items are the audit ones: the chain head moved under us. */
function lostHeadRace(error: unknown, auditPositions: readonly number[]): boolean {
  const reasons = cancellationReasons(error);
  if (!reasons) return false;
  const failed = reasons.flatMap((r, i) => (r.code === 'None' ? [] : [i]));
  return failed.length > 0 && failed.every((i) => auditPositions.includes(i));
}

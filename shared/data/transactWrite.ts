import { TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { withAudit } from '../audit/withAudit.js';
import { currentAuditScope } from '../audit/requestAudit.js';
import type { Database } from './Database.js';
import type { TransactItem } from './guardedTransaction.js';

/**
 * Every transaction of the data layer goes through here (docs/audit.md, "One event per action").
 * In an audited request whose event is not written yet, the event is appended to an audit chain
 * in this same transaction: the change and its record commit together or not at all. The audit
 * items come after the caller's, so cancellation reasons keep the caller's indexes, and every
 * error but a lost race for the chain head reaches the caller unchanged.
 */
export async function transactWrite(db: Database, items: TransactItem[]): Promise<void> {
  const scope = currentAuditScope();
  if (!scope || scope.written) {
    await db.doc.send(new TransactWriteCommand({ TransactItems: items }));
    return;
  }
  await withAudit(db, scope.event(), (audit) => [...items, ...audit]);
}

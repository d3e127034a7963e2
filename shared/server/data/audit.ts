import { withAudit } from '../audit/withAudit.js';
import type { Database } from './Database.js';
import { dynamo } from './dynamoErrors.js';
import type { AuditEvent } from '../../core/api/auditEvent.js';

/**
 * Append a standalone event (a guest's request, a refused link open) to an audit chain
 * (docs/audit.md): the event and the chain head, in one transaction, retried on a lost race
 * for the head. Throws SERVICE_UNAVAILABLE when the write fails.
 */
export async function recordAudit(db: Database, event: AuditEvent): Promise<void> {
  await dynamo(() => withAudit(db, event, (audit) => [...audit]));
}

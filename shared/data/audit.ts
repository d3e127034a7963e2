import { withAudit } from '../audit/withAudit.js';
import type { Database } from './Database.js';
import { dynamo } from './dynamoErrors.js';

/**
 * One audited event: a guest's request (docs/permissions.md), a link event or a cleanup
 * action (docs/links.md), stored in a hash chain (docs/audit.md). It names who did what to
 * which ids and how it ended; never a key, token, secret, proof, passphrase, plaintext name,
 * body or query string.
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
  /** The caller's User-Agent header, cut to 256 characters (absent for the system). */
  userAgent?: string;
}

/**
 * Append a standalone event (a guest's request, a refused link open) to an audit chain
 * (docs/audit.md): the event and the chain head, in one transaction, retried on a lost race
 * for the head. Throws SERVICE_UNAVAILABLE when the write fails.
 */
export async function recordAudit(db: Database, event: AuditEvent): Promise<void> {
  await dynamo(() => withAudit(db, event, (audit) => [...audit]));
}

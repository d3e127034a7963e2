import type { AuditCategory, StoredAuditEvent } from '../../shared/core/api/auditEvent.js';
import type { AuditCheckpointResponse, AuditEventsResponse, AuditVerifyResponse } from '../../shared/core/api/schemas/audit.js';
import type { ClientContext } from './ClientContext.js';

/** The audit log (docs/audit.md, "Queries"): queries, verify and checkpoints on demand. */

export type AuditEvent = StoredAuditEvent;
export type AuditReport = AuditVerifyResponse;
export type AuditCheckpointRun = AuditCheckpointResponse;

/** Which events: a resource's (optionally one category), an actor's, or the external-access report. */
export type AuditEventQuery = ({ resource: string; category?: AuditCategory } | { actor: string } | { external: true }) & {
  /** ISO instants; `since` inclusive, `until` exclusive. */
  since?: string;
  until?: string;
};

export interface AuditPageOptions {
  /** 1-500 (server default 100). */
  limit?: number;
  cursor?: string;
}

/** Verifies the whole log (auditors): `{ ok, shards, findings }`; a tampered log is an answer, not an error. */
export function verifyAudit(ctx: ClientContext): Promise<AuditReport> {
  return ctx.api.post<AuditReport>('/audit/verify', {});
}

/** Signs a checkpoint of every chain that grew (auditors): `{ signed, refused }`. */
export function checkpointAudit(ctx: ClientContext): Promise<AuditCheckpointRun> {
  return ctx.api.post<AuditCheckpointRun>('/audit/checkpoints', {});
}

/** One page of events, oldest first. */
export function auditEventsPage(ctx: ClientContext, query: AuditEventQuery, options: AuditPageOptions = {}): Promise<AuditEventsResponse> {
  const range = { since: query.since, until: query.until, limit: options.limit, cursor: options.cursor };
  if ('external' in query) return ctx.api.get<AuditEventsResponse>('/audit/external', { query: range });
  const subject = 'resource' in query ? { resource: query.resource, category: query.category } : { actor: query.actor };
  return ctx.api.get<AuditEventsResponse>('/audit/events', { query: { ...subject, ...range } });
}

/** Every event of a query, oldest first, fetched a page at a time as the caller consumes them. */
export async function* auditEvents(ctx: ClientContext, query: AuditEventQuery, pageSize = 500): AsyncGenerator<AuditEvent, void, undefined> {
  let cursor: string | undefined;
  do {
    const page = await auditEventsPage(ctx, query, { limit: pageSize, ...(cursor ? { cursor } : {}) });
    yield* page.events;
    cursor = page.cursor;
  } while (cursor);
}

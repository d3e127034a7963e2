import { z } from 'zod';
import type { AuditCategory, StoredAuditEvent } from '../auditEvent.js';
import type { AuditReport } from '../auditReport.js';
import type { CheckpointRun } from '../checkpointRun.js';
import { cursor } from './common.js';

/** The audit query API (docs/audit.md, "Queries"). */

export const AUDIT_CATEGORIES = ['auth', 'user', 'access', 'content', 'permission', 'group', 'link', 'cleanup', 'admin'] as const satisfies readonly AuditCategory[];

/** Largest page; the default is 100. */
export const MAX_AUDIT_PAGE = 500;

/** An id an event names as its resource or actor: a node, group, link or user id. */
const auditSubjectId = z.string().regex(/^[A-Za-z0-9._-]{1,128}$/, 'must be a node, group, link or user id');

/** An ISO instant with its offset, normalised to the stored form (UTC, milliseconds). */
const instant = z.iso.datetime({ offset: true }).transform((value) => new Date(value).toISOString());

const range = {
  since: instant.optional(),
  /** Exclusive. */
  until: instant.optional(),
  cursor: cursor.optional(),
  limit: z.coerce.number().int().min(1).max(MAX_AUDIT_PAGE).default(100),
};

const ordered = (q: { since?: string | undefined; until?: string | undefined }) => !q.since || !q.until || q.since < q.until;
const orderedIssue = { message: 'since must be before until', path: ['until'] };

/** `GET /audit/events`: exactly one of `resource` (optionally with `category`) and `actor`. */
export const auditEventsQuery = z
  .strictObject({ resource: auditSubjectId.optional(), category: z.enum(AUDIT_CATEGORIES).optional(), actor: auditSubjectId.optional(), ...range })
  .refine((q) => (q.resource === undefined) !== (q.actor === undefined), { message: 'give exactly one of resource and actor', path: ['resource'] })
  .refine((q) => q.category === undefined || q.resource !== undefined, { message: 'category goes with resource', path: ['category'] })
  .refine(ordered, orderedIssue);
export type AuditEventsQuery = z.output<typeof auditEventsQuery>;

/** `GET /audit/external`: the external-access report. */
export const auditExternalQuery = z.strictObject(range).refine(ordered, orderedIssue);
export type AuditExternalQuery = z.output<typeof auditExternalQuery>;

/** One page of events, oldest first. */
export interface AuditEventsResponse {
  events: StoredAuditEvent[];
  cursor?: string;
}

export type AuditVerifyResponse = AuditReport;
export type AuditCheckpointResponse = CheckpointRun;

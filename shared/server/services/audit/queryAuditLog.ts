import { z } from 'zod';
import { auditNote } from '../../audit/requestAudit.js';
import type { Deps } from '../../config/Deps.js';
import { type AuditQuery, type AuditQueryPlan, type AuditRange, auditQueryPlan, nodeOwnerOf, queryAuditEvents } from '../../data/auditQueries.js';
import { Forbidden } from '../../../core/errors/index.js';
import type { Caller } from '../../http/Operation.js';
import type { AuditEventsResponse } from '../../../core/api/schemas/audit.js';
import { decodePosition, encodeCursor } from '../cursor.js';

/**
 * Who may read the audit log (docs/audit.md, "Queries"): auditors (the deployment's
 * `coffer:auditors`, members only) everything; a member the events of the nodes they own and
 * their own actions; nobody else anything. Guests never.
 */
export function isAuditor(deps: Deps, caller: Caller): boolean {
  return caller.kind === 'member' && deps.settings.auditors.includes(caller.userId);
}

/** Verify and checkpoint: auditors only. */
export function requireAuditor(deps: Deps, caller: Caller): void {
  if (caller.kind === 'guest') throw new Forbidden('GUEST_FORBIDDEN', 'Guests cannot read the audit log.');
  if (!isAuditor(deps, caller)) throw notAnAuditor();
}

const notAnAuditor = () =>
  new Forbidden('NOT_AN_AUDITOR', 'Only auditors may do this (the deployment setting coffer:auditors, COFFER_AUDITORS locally); you may query your own actions and the nodes you own.');

/**
 * Guard of a query, before any event is read. A node's owner: read from its meta now, so a
 * transferred node's new owner sees its history and the old one no longer does. An unknown or
 * deleted node and another's node answer the same 403 (nothing tells them apart).
 */
async function authorize(deps: Deps, caller: Caller, query: AuditQuery): Promise<void> {
  if (caller.kind === 'guest') throw new Forbidden('GUEST_FORBIDDEN', 'Guests cannot read the audit log.');
  if (isAuditor(deps, caller)) return;
  if (query.by === 'actor' && query.actorId === caller.userId) return;
  if (query.by === 'resource' && (await nodeOwnerOf(deps.db, query.resourceId)) === caller.userId) return;
  throw notAnAuditor();
}

const indexPosition = z.record(z.string(), z.string());

/**
 * A cursor is a position in this very query: the same index partition, within its bounds, on an
 * audit event item. Anything else (another partition, another index, a forged key) is a 400, so
 * a cursor cannot widen what the guard allowed.
 */
function decodeAuditCursor(cursor: string, plan: AuditQueryPlan): Record<string, unknown> {
  return decodePosition(
    cursor,
    indexPosition,
    (k) => {
      const names = Object.keys(k).sort();
      const expected = ['pk', 'sk', plan.pkName, plan.skName].sort();
      const sk = k[plan.skName] ?? '';
      return (
        names.join() === expected.join() &&
        k[plan.pkName] === plan.partition &&
        (k.pk ?? '').startsWith('AUDIT#') &&
        (k.sk ?? '').startsWith('SEQ#') &&
        (!plan.range || (sk >= plan.range.from && sk <= plan.range.to))
      );
    },
    'The cursor is not valid for this query: start again without it.',
  );
}

/** One page of a query, oldest first, after its guard. The request's own audit event names what was queried. */
export async function queryAuditLog(
  deps: Deps,
  caller: Caller,
  query: AuditQuery,
  page: AuditRange & { limit: number; cursor?: string | undefined },
): Promise<AuditEventsResponse> {
  auditNote({
    targets: query.by === 'resource' ? { resource: query.resourceId } : query.by === 'actor' ? { actor: query.actorId } : {},
    details: { query: query.by, ...(query.by === 'resource' && query.category ? { category: query.category } : {}) },
  });
  const range = { since: page.since, until: page.until };
  const plan = auditQueryPlan(query, range);
  const startKey = page.cursor ? decodeAuditCursor(page.cursor, plan) : undefined;
  await authorize(deps, caller, query);
  const result = await queryAuditEvents(deps.db, plan, range, page.limit, startKey);
  return { events: result.events, ...(result.lastKey ? { cursor: encodeCursor(result.lastKey) } : {}) };
}

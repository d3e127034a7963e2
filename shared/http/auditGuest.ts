import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { Deps } from '../config/Deps.js';
import { type AuditEvent, recordAudit } from '../data/audit.js';
import { CofferError, httpStatus } from '../errors/index.js';
import type { Route } from '../routes.js';
import type { Caller } from './Operation.js';

/** Path parameters are ids; anything longer than this is cut (they are attacker-chosen). */
const MAX_TARGET_CHARS = 128;
/** The User-Agent is attacker-chosen too. */
const MAX_USER_AGENT_CHARS = 256;

/** How the request ended: a status code, or the error it failed with. */
export type Outcome = { status: number } | { error: unknown };

/**
 * Audits a guest's request (docs/permissions.md: every guest request is recorded), once
 * its outcome is known: who, which operation on which ids, and how it ended. Members are
 * not audited here. Records no token, body or query string. A failed write throws
 * SERVICE_UNAVAILABLE, so the guest gets 503: audited or refused.
 */
export async function auditGuest(deps: Deps, route: Route, event: APIGatewayProxyEventV2, caller: Caller, outcome: Outcome): Promise<void> {
  if (caller.kind !== 'guest') return;
  await recordAudit(deps.db, guestAuditEvent(route, event, caller, outcome, new Date(deps.clock()).toISOString()));
}

/**
 * Runs an authenticated request; for a guest, audits it after its answer or error is
 * known (the error is re-thrown after the audit write; if that write fails, its 503 wins).
 */
export async function withGuestAudit(
  deps: Deps,
  route: Route,
  event: APIGatewayProxyEventV2,
  caller: Caller,
  run: () => Promise<APIGatewayProxyStructuredResultV2>,
): Promise<APIGatewayProxyStructuredResultV2> {
  if (caller.kind !== 'guest') return run();
  let response: APIGatewayProxyStructuredResultV2;
  try {
    response = await run();
  } catch (error) {
    await auditGuest(deps, route, event, caller, { error });
    throw error;
  }
  await auditGuest(deps, route, event, caller, { status: response.statusCode ?? 200 });
  return response;
}

/** The event for one guest request (exported for tests). */
export function guestAuditEvent(route: Route, event: APIGatewayProxyEventV2, caller: Caller, outcome: Outcome, at: string): AuditEvent {
  const targets: Record<string, string> = {};
  for (const [name, value] of Object.entries(event.pathParameters ?? {})) {
    if (typeof value === 'string') targets[name] = value.slice(0, MAX_TARGET_CHARS);
  }
  const { status, errorCode } = describe(outcome);
  return {
    at,
    actorId: caller.userId,
    actorKind: 'guest',
    operation: route.operation,
    method: route.method,
    path: route.path,
    targets,
    status,
    ...(errorCode ? { errorCode } : {}),
    requestId: event.requestContext?.requestId ?? '',
    sourceIp: event.requestContext?.http?.sourceIp ?? '',
    userAgent: (event.requestContext?.http?.userAgent ?? event.headers?.['user-agent'] ?? '').slice(0, MAX_USER_AGENT_CHARS),
  };
}

function describe(outcome: Outcome): { status: number; errorCode?: string } {
  if ('status' in outcome) return { status: outcome.status };
  const error = outcome.error;
  if (!(error instanceof CofferError)) return { status: 500, errorCode: 'INTERNAL' };
  const status = httpStatus(error);
  // The same codes a client sees: 5xx other than SERVICE_UNAVAILABLE are INTERNAL (errorResponse.ts).
  return { status, errorCode: status < 500 || error.code === 'SERVICE_UNAVAILABLE' ? error.code : 'INTERNAL' };
}

import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { type AuditBase, MAX_USER_AGENT_CHARS } from '../audit/requestAudit.js';
import type { AuditEvent } from '../../core/api/auditEvent.js';
import { CofferError, httpStatus } from '../../core/errors/index.js';
import type { Route } from '../../core/api/routes.js';
import type { Caller } from './Operation.js';

/** How the request ended: a status code, or the error it failed with. */
export type Outcome = { status: number } | { error: unknown };

/** What is known of a request's event before it runs (middlewares/auditScope.ts). */
export function requestBase(route: Route, event: APIGatewayProxyEventV2, caller: Caller, signedIn: boolean): AuditBase {
  const targets: Record<string, string> = {};
  for (const [name, value] of Object.entries(event.pathParameters ?? {})) if (typeof value === 'string') targets[name] = value;
  const resource = resourceOf(route, targets, caller, signedIn);
  return {
    actorId: signedIn ? caller.userId : '',
    actorKind: signedIn ? (caller.kind === 'guest' ? 'guest' : 'user') : 'anonymous',
    operation: route.operation,
    category: route.audit ?? 'access',
    ...(resource ? { resourceKind: resource.kind, resourceId: resource.id } : {}),
    method: route.method,
    path: route.path,
    targets,
    requestId: event.requestContext?.requestId ?? '',
    sourceIp: event.requestContext?.http?.sourceIp ?? '',
    userAgent: (event.requestContext?.http?.userAgent ?? event.headers?.['user-agent'] ?? '').slice(0, MAX_USER_AGENT_CHARS),
  };
}

/**
 * The resource a route's path names: `{id}` is a node, a group's id under /groups, `{linkId}` a
 * link, `/users/me` the caller's own account (set here, so a request refused by validation names it too).
 */
function resourceOf(route: Route, params: Record<string, string>, caller: Caller, signedIn: boolean): { kind: NonNullable<AuditEvent['resourceKind']>; id: string } | undefined {
  if (params.linkId) return { kind: 'link', id: params.linkId };
  if (signedIn && (route.path === '/users/me' || route.path.startsWith('/users/me/'))) return { kind: 'user', id: caller.userId };
  if (!params.id) return undefined;
  return { kind: route.area === 'groups' ? 'group' : 'node', id: params.id };
}

/** The status and reason of an outcome: the code a client sees (errorResponse.ts), INTERNAL for anything unexpected. */
export function describe(outcome: Outcome): { status: number; errorCode?: string } {
  if ('status' in outcome) return { status: outcome.status };
  const error = outcome.error;
  if (!(error instanceof CofferError)) return { status: 500, errorCode: 'INTERNAL' };
  const status = httpStatus(error);
  return { status, errorCode: status < 500 || error.code === 'SERVICE_UNAVAILABLE' ? error.code : 'INTERNAL' };
}

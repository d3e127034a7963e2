import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { lambdaDeps } from '../../shared/server/config/depsFromEnv.js';
import { areaHandler } from '../../shared/server/http/areaHandler.js';
import { operations } from './operations.js';

/**
 * The audit function serves two callers (infra/constructs/AuditJob.ts): its EventBridge schedule,
 * and the `audit` API area (shared/core/api/routes.ts: queries, verify, checkpoints on demand), which must
 * run here because only this function may sign checkpoints.
 */
export const apiHandler = areaHandler('audit', operations, lambdaDeps);

/** An HTTP API v2 request has a routeKey and an HTTP request context; an EventBridge event has neither. */
export function isApiEvent(event: unknown): event is APIGatewayProxyEventV2 {
  const e = event as Partial<APIGatewayProxyEventV2> | null;
  return typeof e?.routeKey === 'string' && typeof e.requestContext?.http?.method === 'string';
}

/** The function's entry point: API Gateway requests go to the audit area, anything else runs the scheduled job. */
export function auditEntry<R>(scheduled: () => Promise<R>) {
  return (event: unknown, context?: Partial<Context>) => (isApiEvent(event) ? apiHandler(event, context) : scheduled());
}

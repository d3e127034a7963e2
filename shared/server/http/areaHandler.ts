import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import type { Deps } from '../config/Deps.js';
import type { Area } from '../../core/api/routes.js';
import type { AreaContext } from './middlewares/AreaRequest.js';
import { auditScope } from './middlewares/auditScope.js';
import { authenticate } from './middlewares/authenticate.js';
import { type FailureLogEntry, httpErrorHandler } from './middlewares/httpErrorHandler.js';
import { resolveOperation } from './middlewares/resolveOperation.js';
import { validateInput } from './middlewares/validateInput.js';
import type { AnyOperation } from './Operation.js';
import { runOperation } from './runOperation.js';

export type AreaHandler = (event: APIGatewayProxyEventV2, context?: Partial<Context>) => Promise<APIGatewayProxyStructuredResultV2>;

/**
 * One Lambda per resource area. Its middlewares, in order: route the event to its operation
 * through the shared route table, authenticate bearer routes, open the audit scope, validate the
 * input with the operation's zod schemas; then the operation runs. Any error becomes a stable
 * JSON error (httpErrorHandler is used first, so its onError runs last, after the audit's).
 */
export function areaHandler(area: Area, operations: Record<string, AnyOperation>, deps: () => Promise<Deps>): AreaHandler {
  return middy<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, unknown, AreaContext>()
    .use(httpErrorHandler({ logger: areaLogger(area, deps) }))
    .use(resolveOperation({ area, operations, deps }))
    .use(authenticate())
    .use(auditScope())
    .use(validateInput())
    .handler(runOperation) as unknown as AreaHandler;
}

/** The area's failure log, through its wiring's logger (wired again here if the wiring was what failed). */
function areaLogger(area: Area, deps: () => Promise<Deps>) {
  return async (entry: FailureLogEntry): Promise<void> => {
    const d = await deps().catch(() => undefined);
    d?.logger.error('request failed', { area, ...entry });
  };
}

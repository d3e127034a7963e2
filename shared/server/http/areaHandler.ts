import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import type { Deps } from '../config/Deps.js';
import { CofferError, NotFound } from '../../core/errors/index.js';
import { type Area, routesOf } from '../../core/api/routes.js';
import { auditNote } from '../audit/requestAudit.js';
import { withRequestAudit } from './auditRequest.js';
import { authenticate } from './authenticate.js';
import { errorResponse } from './errorResponse.js';
import { jsonResponse } from './jsonResponse.js';
import type { AnyOperation, Caller } from './Operation.js';
import { header, parseBody, validate } from './parseInput.js';

export type AreaHandler = (event: APIGatewayProxyEventV2, context?: Partial<Context>) => Promise<APIGatewayProxyStructuredResultV2>;

const ANONYMOUS: Caller = { userId: '', kind: 'member' };

/**
 * One Lambda per resource area: dispatches on the event's routeKey through the
 * shared route table, authenticates bearer routes, validates input with the
 * operation's zod schemas and maps every error to a stable JSON error.
 */
export function areaHandler(area: Area, operations: Record<string, AnyOperation>, deps: () => Promise<Deps>): AreaHandler {
  const routes = new Map(routesOf(area).map((r) => [`${r.method} ${r.path}`, r]));
  for (const r of routes.values()) {
    if (!operations[r.operation]) throw new Error(`Area ${area} has no implementation for ${r.operation}`);
  }

  const core = async (event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> => {
    const route = routes.get(event.routeKey);
    if (!route) throw new NotFound('ROUTE_NOT_FOUND', 'No such route.');
    const op = operations[route.operation]!;
    const d = op.standalone ? (undefined as unknown as Deps) : await deps();
    const signedIn = route.auth === 'bearer' || (route.auth === 'optional' && header(event, 'authorization') !== undefined);
    const caller = signedIn ? await authenticate(event, d.tokens) : ANONYMOUS;
    // From here the caller is known: an audited request records its event, success or failure.
    return withRequestAudit(d, route, event, caller, signedIn, async () => {
      const params = validate(op.params, event.pathParameters ?? {}, 'path');
      const query = validate(op.query, event.queryStringParameters ?? {}, 'query');
      const body = validate(op.body, op.body ? parseBody(event) : {}, 'body');
      if (op.audit) auditNote(op.audit({ body, params, caller }));
      const result = await op.run({
        body,
        query,
        params,
        caller,
        signedIn,
        deps: d,
        request: {
          requestId: event.requestContext?.requestId ?? '',
          sourceIp: event.requestContext?.http?.sourceIp ?? '',
          userAgent: header(event, 'user-agent') ?? '',
        },
      });
      return jsonResponse(result.status ?? 200, result.body);
    });
  };

  return middy<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2>()
    .use({
      onError: async (request) => {
        const error = request.error;
        const status = error instanceof CofferError ? errorResponse(error).statusCode : 500;
        if (!(error instanceof CofferError) || (status ?? 500) >= 500) {
          // Name and code only: SDK messages and stacks may carry keys, names or ids.
          const d = await deps().catch(() => undefined);
          d?.logger.error('request failed', {
            area,
            routeKey: request.event.routeKey,
            requestId: request.event.requestContext?.requestId,
            errorName: error instanceof Error ? error.name : typeof error,
            code: error instanceof CofferError ? error.code : undefined,
          });
        }
        request.response = errorResponse(error);
      },
    })
    .handler(core) as unknown as AreaHandler;
}

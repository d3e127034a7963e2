import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type { Deps } from '../../../../shared/server/config/Deps.js';
import type { AreaRequest, AreaState } from '../../../../shared/server/http/middlewares/AreaRequest.js';
import { operation } from '../../../../shared/server/http/Operation.js';
import { type Route, ROUTES } from '../../../../shared/core/api/routes.js';

/** An HTTP API v2 event for `routeKey`, JSON unless the headers say otherwise. */
export function httpEvent(routeKey: string, parts: Partial<APIGatewayProxyEventV2> = {}): APIGatewayProxyEventV2 {
  return {
    version: '2.0',
    routeKey,
    rawPath: '/',
    rawQueryString: '',
    headers: { 'content-type': 'application/json' },
    requestContext: { requestId: 'req-1', http: { method: 'POST', path: '/', protocol: 'HTTP/1.1', sourceIp: '198.51.100.7', userAgent: 'ua' } },
    isBase64Encoded: false,
    ...parts,
  } as unknown as APIGatewayProxyEventV2;
}

export function routeOf(operationName: string): Route {
  const route = ROUTES.find((r) => r.operation === operationName);
  if (!route) throw new Error(`no route ${operationName}`);
  return route;
}

/** A middy request as the area's middlewares see it, with the state resolveOperation would have set. */
export function areaRequest(event: APIGatewayProxyEventV2, state?: Partial<AreaState> & { route: Route }): AreaRequest {
  return {
    event,
    context: (state
      ? { coffer: { operation: operation({ async run() { return {}; } }), deps: {} as Deps, signedIn: false, caller: { userId: '', kind: 'member' }, ...state } }
      : {}) as AreaRequest['context'],
    response: null,
    error: null,
    internal: {},
  };
}

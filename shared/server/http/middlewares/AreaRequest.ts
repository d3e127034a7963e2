import type middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import type { AuditScope } from '../../audit/requestAudit.js';
import type { Deps } from '../../config/Deps.js';
import type { Route } from '../../../core/api/routes.js';
import type { AnyOperation, Caller } from '../Operation.js';

/**
 * What the area's middlewares learn of one request, each in its turn (areaHandler.ts), and what
 * the operation then runs on. It rides on the request's context, as middy's own middlewares
 * hand values to the handler.
 */
export interface AreaState {
  route: Route;
  operation: AnyOperation;
  /** A placeholder for `standalone` operations, which must not use it. */
  deps: Deps;
  /**
   * False on `public` routes and on `optional` ones called without a token: `caller` is then a
   * placeholder that must not be trusted for any decision.
   */
  signedIn: boolean;
  caller: Caller;
  /** Set by validateInput: the operation's input, valid against its schemas. */
  input?: { params: unknown; query: unknown; body: unknown };
  /** Set by auditScope on audited requests, until their event is recorded. */
  audit?: AuditScope;
}

export interface AreaContext extends Context {
  coffer?: AreaState;
}

export type AreaRequest = middy.Request<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, unknown, AreaContext>;

export type AreaMiddleware = middy.MiddlewareObj<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, unknown, AreaContext>;

/** The request's state; resolveOperation sets it, so every later middleware finds it. */
export function areaState(request: Pick<AreaRequest, 'context'>): AreaState {
  const state = request.context.coffer;
  if (!state) throw new Error('resolveOperation must run before the other area middlewares');
  return state;
}

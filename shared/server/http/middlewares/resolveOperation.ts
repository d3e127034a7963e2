import type { Deps } from '../../config/Deps.js';
import { NotFound } from '../../../core/errors/index.js';
import { type Area, routesOf } from '../../../core/api/routes.js';
import type { AnyOperation, Caller } from '../Operation.js';
import { header } from '../parseInput.js';
import type { AreaMiddleware, AreaRequest } from './AreaRequest.js';

export interface ResolveOperationOptions {
  area: Area;
  operations: Record<string, AnyOperation>;
  deps: () => Promise<Deps>;
}

/** The caller of a request nobody signed in to. */
const ANONYMOUS: Caller = { userId: '', kind: 'member' };

/**
 * Routing: the event's routeKey, through the shared route table, names the route and its
 * operation; the area's wiring is resolved (unless the operation is standalone) and whether
 * the request is to be authenticated is decided. Refuses at construction an area that lacks
 * an operation of one of its routes.
 */
export function resolveOperation({ area, operations, deps }: ResolveOperationOptions): AreaMiddleware {
  const routes = new Map(routesOf(area).map((r) => [`${r.method} ${r.path}`, r]));
  for (const r of routes.values()) {
    if (!operations[r.operation]) throw new Error(`Area ${area} has no implementation for ${r.operation}`);
  }

  const resolveOperationBefore = async (request: AreaRequest): Promise<void> => {
    const { event } = request;
    const route = routes.get(event.routeKey);
    if (!route) throw new NotFound('ROUTE_NOT_FOUND', 'No such route.');
    const operation = operations[route.operation]!;
    const d = operation.standalone ? (undefined as unknown as Deps) : await deps();
    const signedIn = route.auth === 'bearer' || (route.auth === 'optional' && header(event, 'authorization') !== undefined);
    request.context.coffer = { route, operation, deps: d, signedIn, caller: ANONYMOUS };
  };

  return { name: 'resolveOperation', before: resolveOperationBefore };
}

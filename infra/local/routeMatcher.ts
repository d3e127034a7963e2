import { ROUTES, type Route } from '../../shared/core/api/routes.js';

interface Compiled {
  route: Route;
  pattern: RegExp;
  names: string[];
}

const compiled: Compiled[] = ROUTES.map((route) => {
  const names: string[] = [];
  const source = route.path.replace(/\{([A-Za-z0-9_]+)\}/g, (_, name: string) => {
    names.push(name);
    return '([^/]+)';
  });
  return { route, pattern: new RegExp(`^${source}$`), names };
});

export type RouteMatch =
  | { kind: 'found'; route: Route; pathParameters: Record<string, string> }
  | { kind: 'method-not-allowed' }
  | { kind: 'not-found' }
  /** A path parameter that is not valid percent-encoded UTF-8 (`%ZZ`, a lone surrogate `%ED%A0%80`). */
  | { kind: 'bad-path' };

/** Matches like API Gateway: exact paths win over parameterised ones. */
export function matchRoute(method: string, path: string): RouteMatch {
  let pathMatched = false;
  const candidates = compiled
    .map((c) => ({ c, m: c.pattern.exec(path) }))
    .filter((x) => x.m !== null)
    .sort((a, b) => a.c.names.length - b.c.names.length);
  for (const { c, m } of candidates) {
    pathMatched = true;
    if (c.route.method !== method) continue;
    const pathParameters: Record<string, string> = {};
    try {
      c.names.forEach((n, i) => {
        pathParameters[n] = decodeURIComponent(m![i + 1]!);
      });
    } catch {
      return { kind: 'bad-path' }; // decodeURIComponent's URIError
    }
    return { kind: 'found', route: c.route, pathParameters };
  }
  return pathMatched ? { kind: 'method-not-allowed' } : { kind: 'not-found' };
}

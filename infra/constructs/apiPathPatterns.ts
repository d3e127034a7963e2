import type { Route } from '../../shared/core/api/routes.js';

/**
 * CloudFront path patterns that send every route of the route table to the API, and nothing
 * else: for each first path segment, the bare path when a route is exactly `/<segment>`, and
 * `/<segment>/*` when a route goes deeper. Exact patterns rather than `/<segment>*`, which would
 * also catch `/<segment>foo`. Sorted, so the distribution does not change with route order.
 */
export function apiPathPatterns(routes: readonly Route[]): string[] {
  const patterns = new Set<string>();
  for (const { path } of routes) {
    const [, segment, ...rest] = path.split('/');
    if (!segment || segment.includes('{') || segment.includes('*')) {
      throw new Error(`Route ${path}: its first segment must be a literal, so CloudFront can route it to the API`);
    }
    patterns.add(rest.length === 0 ? `/${segment}` : `/${segment}/*`);
  }
  return [...patterns].sort();
}

/**
 * The one route table. The CDK stack builds its HTTP API routes and Lambda functions
 * from it, the local server dispatches with it, and each area's handler routes with it.
 */
export type Area = 'health' | 'auth' | 'users' | 'documents';
export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

export interface Route {
  readonly method: HttpMethod;
  /** API Gateway path syntax: `/documents/{id}`. */
  readonly path: string;
  readonly area: Area;
  /** Stable operation name: the handler implementing it and the benchmark label. */
  readonly operation: string;
  /** `public` routes take no bearer token. */
  readonly auth: 'public' | 'bearer';
}

export const ROUTES: readonly Route[] = [
  { method: 'GET', path: '/health', area: 'health', operation: 'health', auth: 'public' },

  { method: 'POST', path: '/users', area: 'users', operation: 'register', auth: 'public' },
  { method: 'GET', path: '/users/me', area: 'users', operation: 'me', auth: 'bearer' },
  { method: 'GET', path: '/users', area: 'users', operation: 'lookupUsers', auth: 'bearer' },

  { method: 'POST', path: '/auth/prelogin', area: 'auth', operation: 'prelogin', auth: 'public' },
  { method: 'POST', path: '/auth/token', area: 'auth', operation: 'token', auth: 'public' },
  { method: 'POST', path: '/auth/refresh', area: 'auth', operation: 'refresh', auth: 'public' },
  { method: 'POST', path: '/auth/logout', area: 'auth', operation: 'logout', auth: 'bearer' },

  { method: 'POST', path: '/documents', area: 'documents', operation: 'createDocument', auth: 'bearer' },
  { method: 'GET', path: '/documents', area: 'documents', operation: 'listDocuments', auth: 'bearer' },
  { method: 'GET', path: '/documents/{id}', area: 'documents', operation: 'getDocument', auth: 'bearer' },
  { method: 'POST', path: '/documents/{id}/complete', area: 'documents', operation: 'completeDocument', auth: 'bearer' },
  { method: 'POST', path: '/documents/{id}/share', area: 'documents', operation: 'shareDocument', auth: 'bearer' },
  { method: 'POST', path: '/documents/{id}/revoke', area: 'documents', operation: 'revokeDocument', auth: 'bearer' },
  { method: 'DELETE', path: '/documents/{id}', area: 'documents', operation: 'deleteDocument', auth: 'bearer' },
];

export const AREAS: readonly Area[] = ['health', 'auth', 'users', 'documents'];

export function routesOf(area: Area): Route[] {
  return ROUTES.filter((r) => r.area === area);
}

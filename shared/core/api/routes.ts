/**
 * The one route table. The CDK stack builds its HTTP API routes and Lambda functions
 * from it, the local server dispatches with it, and each area's handler routes with it.
 */
import type { AuditCategory } from './auditEvent.js';

export type Area = 'health' | 'auth' | 'users' | 'documents' | 'folders' | 'sharing' | 'groups' | 'links' | 'audit';
/**
 * The areas with a Lambda of their own. `audit` is served by the audit job's function
 * (infra/constructs/AuditJob.ts), the only one that may sign checkpoints.
 */
export type FunctionArea = Exclude<Area, 'audit'>;
export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

export interface Route {
  readonly method: HttpMethod;
  /** API Gateway path syntax: `/documents/{id}`. */
  readonly path: string;
  readonly area: Area;
  /** Stable operation name: the handler implementing it and the benchmark label. */
  readonly operation: string;
  /**
   * `public` routes take no bearer token; `optional` ones authenticate the caller when an
   * Authorization header is present (a bad token is still 401) and run anonymously otherwise.
   */
  readonly auth: 'public' | 'bearer' | 'optional';
  /**
   * Audited routes record one event per request, success or failure (docs/audit.md, "One event
   * per action"), under this category. A guest's request is audited on every route.
   */
  readonly audit?: AuditCategory;
}

export const ROUTES: readonly Route[] = [
  { method: 'GET', path: '/health', area: 'health', operation: 'health', auth: 'public' },

  { method: 'POST', path: '/users', area: 'users', operation: 'register', auth: 'public', audit: 'user' },
  { method: 'GET', path: '/users/me', area: 'users', operation: 'me', auth: 'bearer' },
  { method: 'PUT', path: '/users/me', area: 'users', operation: 'updateProfile', auth: 'bearer', audit: 'user' },
  { method: 'PUT', path: '/users/me/passphrase', area: 'users', operation: 'changePassphrase', auth: 'bearer', audit: 'user' },
  { method: 'GET', path: '/users', area: 'users', operation: 'lookupUsers', auth: 'bearer' },

  { method: 'POST', path: '/auth/prelogin', area: 'auth', operation: 'prelogin', auth: 'public' },
  { method: 'POST', path: '/auth/token', area: 'auth', operation: 'token', auth: 'public', audit: 'auth' },
  { method: 'POST', path: '/auth/refresh', area: 'auth', operation: 'refresh', auth: 'public', audit: 'auth' },
  { method: 'POST', path: '/auth/logout', area: 'auth', operation: 'logout', auth: 'bearer', audit: 'auth' },
  // The web app's session: the refresh token rides in an HttpOnly cookie scoped to /auth/session (docs/web.md, "Sessions").
  { method: 'POST', path: '/auth/session/refresh', area: 'auth', operation: 'sessionRefresh', auth: 'public', audit: 'auth' },
  { method: 'POST', path: '/auth/session/logout', area: 'auth', operation: 'sessionLogout', auth: 'public', audit: 'auth' },

  { method: 'POST', path: '/invitations', area: 'users', operation: 'createInvitation', auth: 'bearer', audit: 'user' },

  { method: 'POST', path: '/documents', area: 'documents', operation: 'createDocument', auth: 'bearer', audit: 'content' },
  { method: 'GET', path: '/documents', area: 'documents', operation: 'listDocuments', auth: 'bearer' },
  { method: 'GET', path: '/documents/{id}', area: 'documents', operation: 'getDocument', auth: 'bearer', audit: 'access' },
  { method: 'POST', path: '/documents/{id}/complete', area: 'documents', operation: 'completeDocument', auth: 'bearer', audit: 'content' },
  { method: 'DELETE', path: '/documents/{id}', area: 'documents', operation: 'deleteDocument', auth: 'bearer', audit: 'content' },
  { method: 'POST', path: '/documents/{id}/comments', area: 'documents', operation: 'addComment', auth: 'bearer', audit: 'content' },
  { method: 'GET', path: '/documents/{id}/comments', area: 'documents', operation: 'listComments', auth: 'bearer' },
  { method: 'DELETE', path: '/documents/{id}/comments/{commentId}', area: 'documents', operation: 'deleteComment', auth: 'bearer', audit: 'content' },
  { method: 'POST', path: '/documents/{id}/versions', area: 'documents', operation: 'createVersion', auth: 'bearer', audit: 'content' },
  { method: 'POST', path: '/documents/{id}/versions/{version}/complete', area: 'documents', operation: 'completeVersion', auth: 'bearer', audit: 'content' },
  { method: 'GET', path: '/documents/{id}/versions/{version}/upload', area: 'documents', operation: 'resumeUpload', auth: 'bearer', audit: 'content' },
  { method: 'GET', path: '/documents/{id}/versions', area: 'documents', operation: 'listVersions', auth: 'bearer' },
  { method: 'GET', path: '/documents/{id}/versions/{version}', area: 'documents', operation: 'getVersion', auth: 'bearer', audit: 'access' },
  { method: 'POST', path: '/documents/{id}/rotate', area: 'documents', operation: 'rotateDocumentKey', auth: 'bearer', audit: 'content' },

  { method: 'POST', path: '/folders', area: 'folders', operation: 'createFolder', auth: 'bearer', audit: 'content' },
  { method: 'GET', path: '/folders/{id}', area: 'folders', operation: 'getFolder', auth: 'bearer' },
  { method: 'GET', path: '/folders/{id}/children', area: 'folders', operation: 'listChildren', auth: 'bearer' },
  { method: 'POST', path: '/folders/{id}/limit', area: 'folders', operation: 'limitFolder', auth: 'bearer', audit: 'permission' },
  { method: 'DELETE', path: '/folders/{id}', area: 'folders', operation: 'deleteFolder', auth: 'bearer', audit: 'content' },

  { method: 'GET', path: '/nodes/{id}', area: 'sharing', operation: 'getNode', auth: 'bearer', audit: 'access' },
  { method: 'POST', path: '/nodes/{id}/share', area: 'sharing', operation: 'shareNode', auth: 'bearer', audit: 'permission' },
  { method: 'POST', path: '/nodes/{id}/revoke', area: 'sharing', operation: 'revokeNode', auth: 'bearer', audit: 'permission' },
  { method: 'PUT', path: '/nodes/{id}/grants/{principalId}', area: 'sharing', operation: 'changeGrant', auth: 'bearer', audit: 'permission' },
  { method: 'GET', path: '/nodes/{id}/permissions', area: 'sharing', operation: 'listPermissions', auth: 'bearer' },
  { method: 'PUT', path: '/nodes/{id}/settings', area: 'sharing', operation: 'changeSettings', auth: 'bearer', audit: 'permission' },
  { method: 'POST', path: '/nodes/{id}/transfer', area: 'sharing', operation: 'transferOwnership', auth: 'bearer', audit: 'permission' },
  { method: 'POST', path: '/nodes/{id}/move', area: 'sharing', operation: 'moveNode', auth: 'bearer', audit: 'permission' },
  { method: 'PUT', path: '/nodes/{id}/name', area: 'sharing', operation: 'renameNode', auth: 'bearer', audit: 'content' },
  { method: 'POST', path: '/access/check', area: 'sharing', operation: 'checkAccess', auth: 'bearer' },

  { method: 'POST', path: '/groups', area: 'groups', operation: 'createGroup', auth: 'bearer', audit: 'group' },
  { method: 'GET', path: '/groups', area: 'groups', operation: 'listMyGroups', auth: 'bearer' },
  { method: 'GET', path: '/groups/{id}', area: 'groups', operation: 'getGroup', auth: 'bearer' },
  { method: 'PUT', path: '/groups/{id}/name', area: 'groups', operation: 'renameGroup', auth: 'bearer', audit: 'group' },
  { method: 'POST', path: '/groups/{id}/members', area: 'groups', operation: 'addMembers', auth: 'bearer', audit: 'group' },
  { method: 'POST', path: '/groups/{id}/members/remove', area: 'groups', operation: 'removeMembers', auth: 'bearer', audit: 'group' },
  { method: 'PUT', path: '/groups/{id}/members/{principalId}', area: 'groups', operation: 'changeMemberRole', auth: 'bearer', audit: 'group' },
  { method: 'GET', path: '/groups/{id}/grants', area: 'groups', operation: 'listGroupGrants', auth: 'bearer' },
  { method: 'POST', path: '/groups/{id}/rewrap', area: 'groups', operation: 'rewrapGroupGrants', auth: 'bearer', audit: 'group' },

  { method: 'POST', path: '/nodes/{id}/links', area: 'links', operation: 'createLink', auth: 'bearer', audit: 'link' },
  { method: 'GET', path: '/nodes/{id}/links', area: 'links', operation: 'listLinks', auth: 'bearer' },
  { method: 'DELETE', path: '/links/{linkId}', area: 'links', operation: 'revokeLink', auth: 'bearer', audit: 'link' },
  { method: 'POST', path: '/links/open', area: 'links', operation: 'openLink', auth: 'optional', audit: 'access' },

  // Reading the audit log is itself audited (docs/audit.md, "Queries").
  { method: 'GET', path: '/audit/events', area: 'audit', operation: 'queryEvents', auth: 'bearer', audit: 'admin' },
  { method: 'GET', path: '/audit/external', area: 'audit', operation: 'queryExternal', auth: 'bearer', audit: 'admin' },
  { method: 'POST', path: '/audit/verify', area: 'audit', operation: 'verifyLog', auth: 'bearer', audit: 'admin' },
  { method: 'POST', path: '/audit/checkpoints', area: 'audit', operation: 'signCheckpointsNow', auth: 'bearer', audit: 'admin' },
];

/** The areas that have their own function (FunctionArea). */
export const AREAS: readonly FunctionArea[] = ['health', 'auth', 'users', 'documents', 'folders', 'sharing', 'groups', 'links'];

export function routesOf(area: Area): Route[] {
  return ROUTES.filter((r) => r.area === area);
}

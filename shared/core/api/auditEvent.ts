/** What an event is about, for the queries (docs/audit.md, "Queries"). */
export type AuditCategory = 'auth' | 'user' | 'access' | 'content' | 'permission' | 'group' | 'link' | 'cleanup' | 'admin';

/** Who acted: a signed-in user or guest, someone holding a share link, nobody signed in, or Coffer itself. */
export type ActorKind = 'user' | 'guest' | 'link' | 'anonymous' | 'system';

/**
 * One audited event (docs/audit.md): every security-relevant request, link event or cleanup
 * action, stored in a hash chain. It names who did what to which ids and how it ended; never a
 * key, token, secret, proof, passphrase, plaintext name, body or query string.
 */
export interface AuditEvent {
  /** ISO instant the event was written. */
  at: string;
  /** A user id (or the link id for `link`); '' for anonymous callers and the system. */
  actorId: string;
  actorKind: ActorKind;
  /** The action: the route's operation name (shared/core/api/routes.ts) or a name such as `link.open`. */
  operation: string;
  category: AuditCategory;
  /** The node, group, link or user the action was on, when there is one. */
  resourceKind?: 'node' | 'group' | 'link' | 'user';
  resourceId?: string;
  /** For requests: the method and the route's path template (`/documents/{id}`: ids are in `targets`). */
  method?: string;
  path?: string;
  /** The ids the event was about. */
  targets: Record<string, string>;
  outcome: 'success' | 'failure';
  /** The HTTP status, when known as the event is written (a change's event commits before its answer is built). */
  status?: number;
  /** The error code of a refused or failed action (its failure reason). */
  errorCode?: string;
  /** Small, never secret, facts about the event (a lock's end, a cleanup's reason, a granted role). */
  details?: Record<string, string | number | boolean>;
  requestId: string;
  sourceIp: string;
  /** The caller's User-Agent header, cut to 256 characters (absent for the system). */
  userAgent?: string;
}

/** A stored event: the event, its id, and its place in its chain. */
export type StoredAuditEvent = AuditEvent & { id: string; shard: string; seq: number; prevHash: string; hash: string };

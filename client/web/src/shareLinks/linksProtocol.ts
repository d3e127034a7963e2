import type { LinkAccess, LinkAudience, LinkSummary } from '../../../../shared/core/api/schemas/links.js';

/**
 * The share-link operations the page asks of the account worker (docs/web.md, "Managing links").
 * The worker holds the signed-in CofferClient and makes the link secret; the page gets each new
 * link's URL once, and summaries (state, counters) that never carry a token or a secret.
 */
export type LinksRequest =
  | { op: 'listLinks'; nodeId: string }
  | { op: 'createLink'; nodeId: string; settings: LinkSettings }
  | { op: 'revokeLink'; linkId: string };

export const LINKS_OPS: ReadonlySet<LinksRequest['op']> = new Set(['listLinks', 'createLink', 'revokeLink']);

export function isLinksRequest(request: { op: string }): request is LinksRequest {
  return LINKS_OPS.has(request.op as LinksRequest['op']);
}

/** What the create form asks: the SDK's CreateLinkOptions, with the expiry as an ISO instant (a Date survives a postMessage, but a string is what the form holds). */
export interface LinkSettings {
  /** Omitted: the server's default (7 days). */
  expiresAt?: string;
  access: LinkAccess;
  maxDownloads?: number;
  /** Turned into a proof in the worker (Argon2id); never sent as such. */
  password?: string;
  audience: LinkAudience;
}

export type { LinkSummary };

export type LinksResult =
  | { links: LinkSummary[] }
  /** `url` carries the secret in its fragment: shown once by the page, kept nowhere. */
  | { createdLink: { url: string; link: LinkSummary } }
  | { revoked: string };

import type { LinkItem } from '../../data/links.js';
import type { LinkState, LinkSummary } from '../../../core/api/schemas/links.js';
import { linkIsStale } from './linkIsStale.js';

/**
 * A link's state at `now` under its node's current key generation: the final states first, in
 * the order an open checks them (expired, used up), then stale (final too, so it outranks a
 * lockout that would end), then locked.
 */
export function linkState(link: LinkItem, node: { keyGeneration: number }, now: number): LinkState {
  if (Date.parse(link.linkExpiresAt) <= now) return 'expired';
  if (link.maxDownloads !== undefined && link.downloads >= link.maxDownloads) return 'exhausted';
  if (linkIsStale(link, node)) return 'stale';
  if (link.lockedUntil && Date.parse(link.lockedUntil) > now) return 'locked';
  return 'active';
}

/** What managers see of a link (`node`: its node's meta now): counts and state, never a token or a verifier. */
export function linkSummary(link: LinkItem, node: { keyGeneration: number }, now: number): LinkSummary {
  const locked = link.lockedUntil && Date.parse(link.lockedUntil) > now ? link.lockedUntil : undefined;
  return {
    linkId: link.linkId,
    nodeId: link.nodeId,
    nodeKind: link.nodeKind,
    createdBy: link.createdBy,
    createdAt: link.createdAt,
    expiresAt: link.linkExpiresAt,
    access: link.access,
    audience: link.audience,
    ...(link.maxDownloads !== undefined ? { maxDownloads: link.maxDownloads } : {}),
    downloads: link.downloads,
    accessCount: link.accessCount,
    ...(link.lastAccessAt ? { lastAccessAt: link.lastAccessAt } : {}),
    passwordProtected: link.password !== undefined,
    ...(locked ? { lockedUntil: locked } : {}),
    state: linkState(link, node, now),
  };
}

import type { LinkItem } from '../../data/links.js';

/**
 * A link is stale once its node's key has moved past the generation the link's wrap holds (a
 * revoke, a rotation, a folder limited): its key can no longer open anything, for good. The one
 * rule for both an open (LINK_STALE) and a listing (state `stale`).
 */
export function linkIsStale(link: Pick<LinkItem, 'keyGeneration'>, node: { keyGeneration: number }): boolean {
  return node.keyGeneration !== link.keyGeneration;
}

import type { Deps } from '../../config/Deps.js';
import { allLinksOf } from '../../data/links.js';
import { linkIsStale } from './linkIsStale.js';
import { linkState } from './linkSummary.js';

/**
 * After a node's key moved from generation `from` to `to`: how many of its links a new key made
 * stale, those that could still be opened under `from` (active or locked for a while) and open
 * nothing under `to`. Links already expired, used up or stale are not counted again.
 */
export async function countLinksMadeStale(deps: Deps, nodeId: string, from: number, to: number): Promise<number> {
  const now = deps.clock();
  const links = await allLinksOf(deps.db, nodeId);
  return links.filter((l) => ['active', 'locked'].includes(linkState(l, { keyGeneration: from }, now)) && linkIsStale(l, { keyGeneration: to })).length;
}

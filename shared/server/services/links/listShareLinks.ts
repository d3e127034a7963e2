import { resolveAccess } from '../../access/resolveAccess.js';
import type { Caller } from '../../http/Operation.js';
import type { Deps } from '../../config/Deps.js';
import { listLinksOf } from '../../data/links.js';
import type { ListLinksResponse } from '../../../core/api/schemas/links.js';
import { decodeLinkCursor, encodeLinkCursor } from './linkCursor.js';
import { linkSummary } from './linkSummary.js';

/** A node's links, oldest first, one page (`share` on the node): counts and state, never a token or verifier. */
export async function listShareLinks(deps: Deps, caller: Caller, nodeId: string, query: { limit: number; cursor?: string | undefined }): Promise<ListLinksResponse> {
  const startKey = query.cursor ? decodeLinkCursor(query.cursor, nodeId) : undefined;
  const access = await resolveAccess(deps, caller, nodeId);
  access.require('share');
  const page = await listLinksOf(deps.db, nodeId, query.limit, startKey);
  const now = deps.clock();
  return {
    links: page.links.map((l) => linkSummary(l, access.node, now)),
    ...(page.lastKey ? { cursor: encodeLinkCursor(page.lastKey) } : {}),
  };
}

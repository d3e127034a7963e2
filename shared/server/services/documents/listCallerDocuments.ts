import type { Deps } from '../../config/Deps.js';
import { getNodeMetas, listGrantsOfUser } from '../../data/documents.js';
import { principal } from '../../data/keys.js';
import { isLive } from '../../data/nodes.js';
import type { Caller } from '../../http/Operation.js';
import type { ListDocumentsResponse } from '../../../core/api/schemas/documents.js';
import { decodeCursor, encodeCursor } from '../cursor.js';
import { documentSummary } from './documentSummary.js';

/**
 * "Mine and shared with me", one page: the caller's direct grants (a gsi1 query page), then one
 * batch read of their nodes. A grant counts only while the node's ACL holds it live (expired ones drop out).
 */
export async function listCallerDocuments(deps: Deps, caller: Caller, limit: number, cursor: string | undefined): Promise<ListDocumentsResponse> {
  const startKey = cursor ? decodeCursor(cursor, caller.userId) : undefined;
  const page = await listGrantsOfUser(deps.db, caller.userId, limit, startKey);
  const metas = await getNodeMetas(deps.db, page.grants.map((g) => g.nodeId));
  const me = principal.user(caller.userId);
  const now = deps.clock();
  const documents = page.grants.flatMap((g) => {
    const meta = metas.get(g.nodeId);
    const entry = meta?.acl?.[me];
    return meta && meta.state === 'active' && entry && isLive(entry, now) ? [documentSummary(meta, entry.role, g)] : [];
  });
  return { documents, ...(page.lastKey ? { cursor: encodeCursor(page.lastKey) } : {}) };
}

import { getNodeMetas, listGrantsOfUser } from '../../shared/server/data/documents.js';
import { principal } from '../../shared/server/data/keys.js';
import { isLive } from '../../shared/server/data/nodes.js';
import { operation } from '../../shared/server/http/Operation.js';
import { listDocumentsQuery } from '../../shared/core/api/schemas/documents.js';
import { decodeCursor, encodeCursor } from '../../shared/server/services/cursor.js';
import { documentSummary } from '../../shared/server/services/documentSummary.js';

/**
 * "Mine and shared with me": the caller's direct grants (a gsi1 query page), then one batch read
 * of their nodes. A grant counts only while the node's ACL holds it live (expired ones drop out).
 */
export const listDocuments = operation({
  query: listDocumentsQuery,
  async run({ query, caller, deps }) {
    const startKey = query.cursor ? decodeCursor(query.cursor, caller.userId) : undefined;
    const page = await listGrantsOfUser(deps.db, caller.userId, query.limit, startKey);
    const metas = await getNodeMetas(deps.db, page.grants.map((g) => g.nodeId));
    const me = principal.user(caller.userId);
    const now = deps.clock();
    const documents = page.grants.flatMap((g) => {
      const meta = metas.get(g.nodeId);
      const entry = meta?.acl?.[me];
      return meta && meta.state === 'active' && entry && isLive(entry, now) ? [documentSummary(meta, entry.role, g)] : [];
    });
    return { body: { documents, ...(page.lastKey ? { cursor: encodeCursor(page.lastKey) } : {}) } };
  },
});

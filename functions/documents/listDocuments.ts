import { getDocumentMetas, listGrantsOfUser } from '../../shared/data/documents.js';
import { operation } from '../../shared/http/Operation.js';
import { listDocumentsQuery } from '../../shared/schemas/documents.js';
import { decodeCursor, encodeCursor } from '../../shared/services/cursor.js';
import { documentSummary } from '../../shared/services/documentSummary.js';

/** List the caller's accessible documents: a gsi1 query page, then one batch read of their metadata. */
export const listDocuments = operation({
  query: listDocumentsQuery,
  async run({ query, caller, deps }) {
    const startKey = query.cursor ? decodeCursor(query.cursor, caller.userId) : undefined;
    const page = await listGrantsOfUser(deps.db, caller.userId, query.limit, startKey);
    const metas = await getDocumentMetas(deps.db, page.grants.map((g) => g.nodeId));
    const documents = page.grants.flatMap((g) => {
      const meta = metas.get(g.nodeId);
      return meta && meta.state === 'active' ? [documentSummary(meta, g)] : [];
    });
    return { body: { documents, ...(page.lastKey ? { cursor: encodeCursor(page.lastKey) } : {}) } };
  },
});

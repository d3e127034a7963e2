import { operation } from '../../shared/server/http/Operation.js';
import { listDocumentsQuery } from '../../shared/core/api/schemas/documents.js';
import { listCallerDocuments } from '../../shared/server/services/documents/listCallerDocuments.js';

/**
 * "Mine and shared with me": the caller's direct grants (a gsi1 query page), then one batch read
 * of their nodes. A grant counts only while the node's ACL holds it live (expired ones drop out).
 */
export const listDocuments = operation({
  query: listDocumentsQuery,
  async run({ query, caller, deps }) {
    return { body: await listCallerDocuments(deps, caller, query.limit, query.cursor) };
  },
});

import { operation } from '../../shared/server/http/Operation.js';
import { listDocumentsQuery } from '../../shared/core/api/schemas/documents.js';
import { listCallerDocuments } from '../../shared/server/services/documents/listCallerDocuments.js';

/** "Mine and shared with me": what reaches the caller directly or through its groups, each with its sources. */
export const listDocuments = operation({
  query: listDocumentsQuery,
  async run({ query, caller, deps }) {
    return { body: await listCallerDocuments(deps, caller, query.limit, query.cursor) };
  },
});

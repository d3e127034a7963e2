import { operation } from '../../shared/server/http/Operation.js';
import { documentIdParams } from '../../shared/core/api/schemas/documents.js';
import { listVersionsQuery } from '../../shared/core/api/schemas/versions.js';
import { listDocumentVersions } from '../../shared/server/services/versions/listDocumentVersions.js';

/** List a document's active versions, newest first. */
export const listVersions = operation({
  params: documentIdParams,
  query: listVersionsQuery,
  async run({ params, query, caller, deps }) {
    return { body: await listDocumentVersions(deps, caller, params.id, query) };
  },
});

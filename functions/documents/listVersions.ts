import { operation } from '../../shared/http/Operation.js';
import { documentIdParams } from '../../shared/schemas/documents.js';
import { listVersionsQuery } from '../../shared/schemas/versions.js';
import { listDocumentVersions } from '../../shared/services/versions/listDocumentVersions.js';

/** List a document's active versions, newest first. */
export const listVersions = operation({
  params: documentIdParams,
  query: listVersionsQuery,
  async run({ params, query, caller, deps }) {
    return { body: await listDocumentVersions(deps, caller, params.id, query) };
  },
});

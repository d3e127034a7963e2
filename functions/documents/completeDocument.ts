import { resolveAccess } from '../../shared/server/access/resolveAccess.js';
import { operation } from '../../shared/server/http/Operation.js';
import { completeDocumentBody, documentIdParams } from '../../shared/core/api/schemas/documents.js';
import { activateUploadedDocument } from '../../shared/server/services/documents/activateUploadedDocument.js';

/** Complete: the object must exist with exactly the declared size; then the grants go live (and the digest is kept with the version). */
export const completeDocument = operation({
  params: documentIdParams,
  body: completeDocumentBody,
  async run({ params, body, caller, deps }) {
    const access = await resolveAccess(deps, caller, params.id, { kind: 'document', allowPending: true });
    return { body: await activateUploadedDocument(deps, caller, access, body) };
  },
});

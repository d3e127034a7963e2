import { operation } from '../../shared/http/Operation.js';
import { documentIdParams } from '../../shared/schemas/documents.js';
import { requireOwner } from '../../shared/services/documentAccess.js';
import { purgeDocument } from '../../shared/services/purgeDocument.js';

/** Delete: registry entries, versions, ciphertext and metadata (owner only). */
export const deleteDocument = operation({
  params: documentIdParams,
  async run({ params, caller, deps }) {
    await requireOwner(deps, params.id, caller.userId);
    await purgeDocument(deps, params.id, caller.userId);
    return { status: 204 };
  },
});

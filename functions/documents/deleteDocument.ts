import { resolveAccess } from '../../shared/server/access/resolveAccess.js';
import { operation } from '../../shared/server/http/Operation.js';
import { documentIdParams } from '../../shared/core/api/schemas/documents.js';
import { purgeDocument } from '../../shared/server/services/documents/purgeDocument.js';

/** Delete: registry entries, versions, comments, ciphertext and metadata (the owner; a pending upload too). */
export const deleteDocument = operation({
  params: documentIdParams,
  async run({ params, caller, deps }) {
    const access = await resolveAccess(deps, caller, params.id, { kind: 'document', allowPending: true });
    access.require('delete');
    // Ownership is also the condition of purge's first write.
    await purgeDocument(deps, params.id, access.node.ownerId === caller.userId ? caller.userId : '');
    return { status: 204 };
  },
});

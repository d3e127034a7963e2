import { NotFound } from '../../shared/errors/index.js';
import { operation } from '../../shared/http/Operation.js';
import { documentIdParams } from '../../shared/schemas/documents.js';
import { requireOwner } from '../../shared/services/documentAccess.js';
import { purgeDocument } from '../../shared/services/purgeDocument.js';

/** Delete: registry entries, versions, ciphertext and metadata (owner only). */
export const deleteDocument = operation({
  params: documentIdParams,
  async run({ params, caller, deps }) {
    try {
      // Ownership is the condition of purge's first write; no read is needed before it.
      await purgeDocument(deps, params.id, caller.userId);
    } catch (error) {
      // Refused: tell a reader (403) from a stranger (404), as every other route does.
      if (error instanceof NotFound) await requireOwner(deps, params.id, caller.userId);
      throw error;
    }
    return { status: 204 };
  },
});

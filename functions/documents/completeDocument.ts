import { resolveAccess } from '../../shared/server/access/resolveAccess.js';
import { activateDocument, type DocumentMeta } from '../../shared/server/data/documents.js';
import { objectKey } from '../../shared/server/data/keys.js';
import { Conflict } from '../../shared/core/errors/index.js';
import { operation } from '../../shared/server/http/Operation.js';
import { completeDocumentBody, documentIdParams } from '../../shared/core/api/schemas/documents.js';
import { documentSummary } from '../../shared/server/services/documentSummary.js';
import { finishUpload } from '../../shared/server/services/finishUpload.js';
import { placeNewNode } from '../../shared/server/services/placement.js';

/** Complete: the object must exist with exactly the declared size; then the grants go live (and the digest is kept with the version). */
export const completeDocument = operation({
  params: documentIdParams,
  body: completeDocumentBody,
  async run({ params, body, caller, deps }) {
    const access = await resolveAccess(deps, caller, params.id, { kind: 'document', allowPending: true });
    const meta = access.node as unknown as DocumentMeta;
    if (meta.state !== 'pending') throw new Conflict('UPLOAD_ALREADY_COMPLETED', 'This upload was already completed.');
    // Still allowed to add to the folder, and where it is now (it may have moved since create).
    const placement = await placeNewNode(deps, caller, {
      parentId: meta.parentId,
      parentWrap: meta.parentWrap,
      parentKeyGeneration: meta.parentKeyGeneration,
    });
    await finishUpload(deps, objectKey(meta.nodeId, meta.currentVersion), meta.upload, body.parts, meta.size);
    const now = new Date(deps.clock()).toISOString();
    await activateDocument(deps.db, meta, caller.userId, now, placement, body.digest);
    const own = meta.pendingGrants?.find((g) => g.userId === caller.userId);
    const active = { ...meta, state: 'active' as const, path: placement?.path ?? [] };
    return {
      body: documentSummary(active, 'owner', own ? { sharedAt: now, wrappedKey: own.wrappedKey, keyGeneration: meta.keyGeneration } : undefined),
    };
  },
});

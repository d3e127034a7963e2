import { activateDocument, getDocumentMeta } from '../../shared/data/documents.js';
import { objectKey } from '../../shared/data/keys.js';
import { Conflict, NotFound, Unprocessable, ValidationFailed } from '../../shared/errors/index.js';
import { operation } from '../../shared/http/Operation.js';
import { completeDocumentBody, documentIdParams } from '../../shared/schemas/documents.js';
import { documentSummary } from '../../shared/services/documentSummary.js';

/** Complete: the object must exist with exactly the declared size; then the grants go live. */
export const completeDocument = operation({
  params: documentIdParams,
  body: completeDocumentBody,
  async run({ params, body, caller, deps }) {
    const meta = await getDocumentMeta(deps.db, params.id);
    if (!meta || meta.ownerId !== caller.userId || meta.state === 'deleting') {
      throw new NotFound('DOCUMENT_NOT_FOUND', 'No such document, or you have no access to it.');
    }
    if (meta.state !== 'pending') throw new Conflict('UPLOAD_ALREADY_COMPLETED', 'This upload was already completed.');
    const key = objectKey(meta.nodeId, meta.currentVersion);
    if (meta.upload?.kind === 'multipart') {
      if (!body.parts || body.parts.length !== meta.upload.partCount) {
        throw new ValidationFailed(`Send the ETag of each of the ${meta.upload.partCount} parts.`);
      }
      await deps.objects.completeMultipartUpload(key, meta.upload.uploadId, body.parts);
    }
    const size = await deps.objects.size(key).catch((error: unknown) => {
      if (error instanceof NotFound) throw new Conflict('UPLOAD_MISSING', 'Upload the ciphertext to the presigned URL first.');
      throw error;
    });
    if (size !== meta.size) {
      await deps.objects.deleteObjects([key]);
      throw new Unprocessable('SIZE_MISMATCH', `The uploaded object has ${size} bytes, not the declared ${meta.size}: upload it again.`);
    }
    const now = new Date(deps.clock()).toISOString();
    await activateDocument(deps.db, meta, caller.userId, now);
    const own = meta.pendingGrants?.find((g) => g.userId === caller.userId);
    return { body: documentSummary({ ...meta, state: 'active' }, { role: 'owner', sharedAt: now, wrappedKey: own?.wrappedKey ?? '' }) };
  },
});

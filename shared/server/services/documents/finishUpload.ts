import type { Deps } from '../../config/Deps.js';
import type { UploadRecord } from '../../data/versions.js';
import { Conflict, NotFound, Unprocessable, ValidationFailed } from '../../../core/errors/index.js';
import type { CompletedPart } from '../../ports/ObjectStore.js';

/**
 * The object of a completing upload exists with exactly the declared size: a multipart upload is
 * assembled first (unless a previous attempt already did: completing again is then harmless).
 * Missing: 409 UPLOAD_MISSING. Another size: the object is deleted, 422 SIZE_MISMATCH.
 */
export async function finishUpload(deps: Deps, key: string, upload: UploadRecord | undefined, parts: CompletedPart[] | undefined, size: number): Promise<void> {
  let stored = await objectSize(deps, key);
  if (stored === undefined && upload?.kind === 'multipart') {
    if (!parts || parts.length !== upload.partCount) {
      throw new ValidationFailed(`Send the ETag of each of the ${upload.partCount} parts.`);
    }
    await deps.objects.completeMultipartUpload(key, upload.uploadId, parts);
    stored = await objectSize(deps, key);
  }
  if (stored === undefined) throw new Conflict('UPLOAD_MISSING', 'Upload the ciphertext to the presigned URL first.');
  if (stored !== size) {
    await deps.objects.deleteObjects([key]);
    throw new Unprocessable('SIZE_MISMATCH', `The uploaded object has ${stored} bytes, not the declared ${size}: upload it again.`);
  }
}

async function objectSize(deps: Deps, key: string): Promise<number | undefined> {
  try {
    return await deps.objects.size(key);
  } catch (error) {
    if (error instanceof NotFound) return undefined;
    throw error;
  }
}

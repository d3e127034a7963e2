import { resolveAccess } from '../../access/resolveAccess.js';
import type { Deps } from '../../config/Deps.js';
import type { DocumentMeta } from '../../data/documents.js';
import { objectKey } from '../../data/keys.js';
import { getVersion, type UploadRecord, uploadNotFound } from '../../data/versions.js';
import { NotFound } from '../../../core/errors/index.js';
import type { Caller } from '../../http/Operation.js';
import type { ResumeUploadResponse } from '../../../core/api/schemas/versions.js';
import { uploadInstructions } from '../documents/planUpload.js';

/** A pending upload of the caller's: the object it fills, and what the response adds. */
interface PendingUpload {
  key: string;
  size: number;
  upload: UploadRecord;
  keyGeneration: number;
  wrappedKey?: string;
}

/**
 * Resume (docs/versions.md): for the caller's own pending upload, the parts S3 already holds with
 * their planned size and fresh presigned URLs for every other part (a single upload: a fresh PUT).
 * Anything else (an unknown document or version, someone else's upload, one already completed or
 * abandoned, or an uploader who lost `edit`) is the same 404 UPLOAD_NOT_FOUND.
 */
export async function resumeVersionUpload(deps: Deps, caller: Caller, documentId: string, version: number): Promise<ResumeUploadResponse> {
  const pending = await pendingUploadOf(deps, caller, documentId, version);
  const { upload, key } = pending;
  let stored: ResumeUploadResponse['stored'] = [];
  let missing: number[] = [1];
  let partSize = pending.size;
  let partCount = 1;
  if (upload.kind === 'multipart') {
    ({ partSize, partCount } = upload);
    const expected = (n: number) => (n < upload.partCount ? upload.partSize : pending.size - (upload.partCount - 1) * upload.partSize);
    // A part with another size than planned is not kept: it is sent again.
    stored = (await deps.objects.listParts(key, upload.uploadId)).filter((p) => p.partNumber <= upload.partCount && p.size === expected(p.partNumber));
    const have = new Set(stored.map((p) => p.partNumber));
    missing = Array.from({ length: upload.partCount }, (_, i) => i + 1).filter((n) => !have.has(n));
  }
  const fresh = await uploadInstructions(deps, key, upload, missing);
  return {
    documentId,
    version,
    kind: upload.kind,
    ...(upload.kind === 'multipart' ? { uploadId: upload.uploadId } : {}),
    partSize,
    partCount,
    stored,
    parts: fresh.kind === 'multipart' ? fresh.parts : [{ partNumber: 1, url: fresh.url }],
    expiresAt: fresh.expiresAt,
    keyGeneration: pending.keyGeneration,
    ...(pending.wrappedKey ? { wrappedKey: pending.wrappedKey } : {}),
  };
}

async function pendingUploadOf(deps: Deps, caller: Caller, documentId: string, version: number): Promise<PendingUpload> {
  const access = await resolveAccess(deps, caller, documentId, { kind: 'document', allowPending: true }).catch((error: unknown) => {
    throw error instanceof NotFound ? uploadNotFound() : error;
  });
  const meta = access.node as unknown as DocumentMeta;
  if (meta.state === 'pending') {
    // The first version of a new document: only its creator sees the document at all.
    if (version !== meta.currentVersion || !meta.upload) throw uploadNotFound();
    const own = meta.pendingGrants?.find((g) => g.userId === caller.userId);
    return {
      key: objectKey(documentId, version),
      size: meta.size,
      upload: meta.upload,
      keyGeneration: meta.keyGeneration,
      ...(own ? { wrappedKey: own.wrappedKey } : {}),
    };
  }
  if (!access.can('edit')) throw uploadNotFound();
  const item = await getVersion(deps.db, documentId, version);
  if (!item || item.state !== 'pending' || item.createdBy !== caller.userId || !item.upload) throw uploadNotFound();
  return { key: item.objectKey, size: item.size, upload: item.upload, keyGeneration: item.keyGeneration };
}

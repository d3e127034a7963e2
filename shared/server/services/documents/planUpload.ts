import type { Deps, Settings } from '../../config/Deps.js';
import { ENCRYPTED_CHUNK_SIZE } from '../../../core/crypto/streamSizes.js';
import type { UploadRecord } from '../../data/versions.js';
import type { UploadInstructions } from '../../../core/api/schemas/documents.js';

const MIB = 1024 * 1024;
/** S3 allows 10,000 parts per upload. */
const MAX_PARTS = 10_000;

/**
 * The part plan for a ciphertext of `size` bytes (docs/versions.md, "Large files"): one PUT up to
 * the multipart threshold, else parts of k whole encrypted chunks, k at least the configured part
 * size in MiB and grown so that no upload needs more than 10,000 parts. Every part boundary then
 * sits at the same offset from a chunk boundary (the 38-byte header), so a part is re-made alone.
 */
export function planParts(settings: Pick<Settings, 'multipartThreshold' | 'partSize'>, size: number): { multipart: boolean; partSize: number; partCount: number } {
  if (size <= settings.multipartThreshold) return { multipart: false, partSize: size, partCount: 1 };
  const chunks = Math.max(Math.ceil(settings.partSize / MIB), Math.ceil(size / MAX_PARTS / ENCRYPTED_CHUNK_SIZE));
  const partSize = chunks * ENCRYPTED_CHUNK_SIZE;
  return { multipart: true, partSize, partCount: Math.ceil(size / partSize) };
}

/** An upload started for one object: what to record on the pending item, and how to hand it out. */
export interface PlannedUpload {
  record: UploadRecord;
  /** Fresh presigned URLs: every part, or only `partNumbers`. */
  instructions(partNumbers?: readonly number[]): Promise<UploadInstructions>;
  /** Undo the start (the pending item was not written). Idempotent. */
  abort(): Promise<void>;
}

/** Starts the upload of `key` (a multipart upload above the threshold): shared by document and version creates. */
export async function planUpload(deps: Deps, key: string, size: number): Promise<PlannedUpload> {
  const plan = planParts(deps.settings, size);
  const record: UploadRecord = plan.multipart
    ? { kind: 'multipart', uploadId: await deps.objects.createMultipartUpload(key), partSize: plan.partSize, partCount: plan.partCount }
    : { kind: 'single' };
  return {
    record,
    instructions: (partNumbers) => uploadInstructions(deps, key, record, partNumbers),
    abort: async () => {
      if (record.kind === 'multipart') await deps.objects.abortMultipartUpload(key, record.uploadId);
    },
  };
}

/** Presigned URLs for an upload already started (create, or resume). */
export async function uploadInstructions(deps: Deps, key: string, record: UploadRecord, partNumbers?: readonly number[]): Promise<UploadInstructions> {
  const ttl = deps.settings.uploadUrlTtlSeconds;
  const expiresAt = new Date(deps.clock() + ttl * 1000).toISOString();
  if (record.kind === 'single') {
    const put = await deps.objects.presignPut(key, ttl);
    return { kind: 'single', url: put.url, method: 'PUT', headers: put.headers, expiresAt };
  }
  const numbers = partNumbers ?? Array.from({ length: record.partCount }, (_, i) => i + 1);
  const parts = await Promise.all(
    numbers.map(async (partNumber) => ({ partNumber, url: await deps.objects.presignUploadPart(key, record.uploadId, partNumber, ttl) })),
  );
  return { kind: 'multipart', uploadId: record.uploadId, partSize: record.partSize, parts, expiresAt };
}

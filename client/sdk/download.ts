import type { KeyPath } from '../../shared/core/api/keyPath.js';
import {
  decryptMetadata,
  decryptRange,
  decryptStream,
  HEADER_SIZE,
  planRange,
  plaintextSize,
  readStreamHeader,
  type StreamContext,
} from '../../shared/core/crypto/index.js';
import { DecryptionFailed, ValidationFailed } from '../../shared/core/errors/index.js';
import type { GetDocumentResponse } from '../../shared/core/api/schemas/documents.js';
import { countingStream } from './byteStreams.js';
import type { ClientContext } from './ClientContext.js';
import { NAME_FIELD } from './dataKeys.js';
import { digestCheckStream } from './digestCheckStream.js';
import { IntegrityMismatchError, StorageError } from './errors.js';
import { keyAtGeneration, openKeyPath } from './nodeKeys.js';
import { documentPath } from './paths.js';
import { getPresigned, type ByteRange } from './presigned.js';
import type { TransferProgress } from './upload.js';

/** The largest version number (docs/versions.md: 1 to 2^31-1). */
const MAX_VERSION = 2 ** 31 - 1;

export interface DownloadOptions {
  onProgress?: (progress: TransferProgress) => void;
  signal?: AbortSignal;
  /** This version (see listVersions) instead of the current one. */
  version?: number;
  /**
   * Only plaintext bytes [start, end) (end exclusive; without end, to the end). Fetches the
   * stream header and just the chunks covering the range. Each chunk is authenticated at its
   * place, but the whole-object digest cannot be checked (docs/versions.md "Integrity").
   */
  range?: { start: number; end?: number };
}

export interface DownloadResult {
  documentId: string;
  /** The version downloaded. */
  version: number;
  /** The decrypted original name, exactly as the uploader gave it: sanitise before using it as a path. */
  name: string;
  /** Plaintext size of the whole version. */
  size: number;
  /** Bytes `stream` carries: `size`, or the range's length. */
  length: number;
  /** The range downloaded, when one was asked for. */
  range?: { start: number; end: number };
  /**
   * The stream fails with INTEGRITY_MISMATCH unless the whole ciphertext has the digest its
   * uploader recorded. False for a range, and for content uploaded without a digest.
   */
  digestChecked: boolean;
  ownerId: string;
  /**
   * The plaintext. Every chunk is authenticated before it is emitted, but only the end
   * of the stream proves nothing was cut off or swapped: treat the data as final only once
   * the stream has closed without error (the CLI writes a temp file and renames it then).
   */
  stream: ReadableStream<Uint8Array>;
}

/**
 * GET /documents/{id} (or /documents/{id}/versions/{version}) -> open the current DEK along
 * the key path (a direct grant, a group's grant through the group keyring, or a folder's key
 * down the tree) -> down the document's key chain to the content's generation -> decrypt the
 * name -> fetch the presigned URL (or just the header and a range of chunks) -> decrypt,
 * checking the recorded digest on a full download. Every key-wrap label and the envelope
 * bind the document id and version, so the server cannot swap one document's or version's
 * key or content for another's; the digest also catches another upload of the same version.
 */
export async function download(ctx: ClientContext, documentId: string, options: DownloadOptions = {}): Promise<DownloadResult> {
  const { version: wanted, range } = options;
  if (wanted !== undefined) assertVersion(wanted);
  if (range !== undefined) assertRange(range);
  const path = wanted === undefined ? documentPath(documentId) : `${documentPath(documentId)}/versions/${wanted}`;
  const doc = await ctx.api.get<GetDocumentResponse>(path);
  // The version asked for goes into the AAD, whatever the server answers.
  const context: StreamContext = { documentId, version: wanted ?? doc.version };
  const current = await openKeyPath(ctx, { nodeId: documentId, kind: 'document' }, doc.keyPath);
  let dek: Uint8Array | undefined;
  try {
    // The name is encrypted under the current key (rotation re-encrypts it); the content under its own generation's.
    const name = await decryptMetadata(current, documentId, NAME_FIELD, doc.encryptedName);
    dek = await generationKey(current, documentId, doc.keyPath, doc.keyGeneration, doc.keyChain);
    const size = plaintextSize(doc.size);
    const base = { documentId, version: context.version, name, size, ownerId: doc.ownerId };
    const report = options.onProgress;
    if (range === undefined) {
      const decrypt = decryptStream(dek, context);
      let ciphertext = await getPresigned(ctx.fetch, doc.download.url, options.signal);
      if (doc.digest !== undefined) {
        ciphertext = ciphertext.pipeThrough(digestCheckStream(doc.size, doc.digest, () => new IntegrityMismatchError(documentId, context.version)));
      }
      const stream = ciphertext.pipeThrough(decrypt).pipeThrough(countingStream((bytes) => report?.({ bytes, total: size })));
      return { ...base, length: size, digestChecked: doc.digest !== undefined, stream };
    }
    const plan = planRange(doc.size, range.start, range.end ?? size);
    const mismatch = () => new IntegrityMismatchError(documentId, context.version);
    const [header, body] = await fetchAll([
      readHeader(ctx, doc.download.url, options.signal, mismatch),
      rangeOf(ctx, doc.download.url, { start: plan.ciphertextStart, end: plan.ciphertextEnd }, options.signal, mismatch),
    ]);
    const stream = body
      .pipeThrough(decryptRange(dek, context, header, plan))
      .pipeThrough(countingStream((bytes) => report?.({ bytes, total: plan.length })));
    return { ...base, length: plan.length, range: { start: plan.start, end: plan.end }, digestChecked: false, stream };
  } finally {
    // The transforms copied what they need when they were made.
    if (dek !== undefined && dek !== current) dek.fill(0);
    current.fill(0);
  }
}

/**
 * The key of the content's generation: the current key from the key path, or an older one
 * down the document's key chain (`keyChain[g]` = key g under key g+1; the same format as a
 * folder's chain, with resourceId = documentId). A chain runs down only: content claimed to be
 * under a newer generation than the key path's cannot be opened here.
 */
async function generationKey(
  current: Uint8Array,
  documentId: string,
  keyPath: KeyPath,
  generation: number,
  chain: Record<string, string> | undefined,
): Promise<Uint8Array> {
  const currentGeneration = keyPath.steps.length > 0 ? keyPath.steps[keyPath.steps.length - 1]!.keyGeneration : keyPath.entry.keyGeneration;
  if (generation > currentGeneration) throw new DecryptionFailed();
  if (generation === currentGeneration) return current;
  return keyAtGeneration(current, documentId, currentGeneration, generation, chain);
}

/** Bytes 0-37 of the object: the stream header, checked (a malformed one is DecryptionFailed). */
async function readHeader(ctx: ClientContext, url: string, signal: AbortSignal | undefined, mismatch: () => Error): Promise<Uint8Array> {
  const stream = await rangeOf(ctx, url, { start: 0, end: HEADER_SIZE }, signal, mismatch);
  const parts: Uint8Array[] = [];
  let length = 0;
  for await (const part of stream as unknown as AsyncIterable<Uint8Array>) {
    length += part.byteLength;
    if (length > HEADER_SIZE) throw new DecryptionFailed();
    parts.push(part);
  }
  const bytes = new Uint8Array(length);
  let offset = 0;
  for (const part of parts) {
    bytes.set(part, offset);
    offset += part.byteLength;
  }
  return readStreamHeader(bytes);
}

/** A ranged GET; a range past the object's end (416) means the object is shorter than recorded. */
async function rangeOf(
  ctx: ClientContext,
  url: string,
  range: ByteRange,
  signal: AbortSignal | undefined,
  mismatch: () => Error,
): Promise<ReadableStream<Uint8Array>> {
  try {
    return await getPresigned(ctx.fetch, url, signal, range);
  } catch (error) {
    if (error instanceof StorageError && error.status === 416) throw mismatch();
    throw error;
  }
}

/** Promise.all that cancels the streams already fetched when another fetch fails. */
async function fetchAll<A, B>(work: [Promise<A>, Promise<B>]): Promise<[A, B]> {
  const settled = await Promise.allSettled(work);
  const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failed) {
    for (const s of settled) {
      if (s.status === 'fulfilled' && s.value instanceof ReadableStream) await s.value.cancel().catch(() => undefined);
    }
    throw failed.reason;
  }
  return settled.map((s) => (s as PromiseFulfilledResult<unknown>).value) as [A, B];
}

function assertVersion(version: unknown): asserts version is number {
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 1 || version > MAX_VERSION) {
    throw new ValidationFailed(`The version must be an integer from 1 to ${MAX_VERSION}, as listVersions returns them.`);
  }
}

function assertRange(range: unknown): asserts range is { start: number; end?: number } {
  const { start, end } = (range ?? {}) as { start?: unknown; end?: unknown };
  const isOffset = (n: unknown): n is number => typeof n === 'number' && Number.isSafeInteger(n) && n >= 0;
  if (!isOffset(start) || (end !== undefined && !isOffset(end))) {
    throw new ValidationFailed('A range is { start, end? }: plaintext byte offsets, non-negative integers (end exclusive).');
  }
  if (end !== undefined && end <= start) {
    throw new ValidationFailed(`The range is empty or reversed: END (${end}) must be greater than START (${start}).`);
  }
}

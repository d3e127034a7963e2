import { ciphertextSize, fromBase64Url, unwrapKey } from '../../shared/core/crypto/index.js';
import type { UploadInstructions } from '../../shared/core/api/schemas/documents.js';
import type { ResumeUploadResponse } from '../../shared/core/api/schemas/versions.js';
import type { ClientContext } from './ClientContext.js';
import { dekLabel } from './dataKeys.js';
import { isApiError } from './retry.js';
import { nodeKey } from './folders.js';
import { documentPath } from './paths.js';
import { sendEncrypted, type SentContent, type TransferProgress } from './upload.js';
import { FileChangedError, ResumeRefusedError } from './uploadErrors.js';
import { JournalRecorder, type SourceIdentity, type UploadJournal, type UploadJournalEntry } from './uploadJournal.js';

export interface ResumeSource {
  /** The plaintext again, from its first byte. */
  stream: ReadableStream<Uint8Array>;
  size: number;
  /** The file's identity now (Node: stat), compared with the journal's. */
  identity?: SourceIdentity;
}

export interface ResumeOptions {
  /** The journal the entry came from: new parts are recorded in it, and the entry is removed on success. */
  journal: UploadJournal;
  onProgress?: (progress: TransferProgress) => void;
  signal?: AbortSignal;
}

export interface ResumeResult {
  documentId: string;
  version: number;
  /** Plaintext size. */
  size: number;
  ciphertextSize: number;
  /** Parts S3 already held (checked against the journal, not sent again). */
  partsKept: number;
  /** Parts sent now. */
  partsSent: number;
}

/**
 * Finishes an interrupted upload (docs/versions.md, "Resume"): asks the server what it holds
 * (GET /documents/{id}/versions/{version}/upload), opens the document key (the caller's pending
 * grant for a new document, else the key path), re-encrypts the source under the interrupted
 * stream's header, compares every re-made part the journal has a check digest for before sending
 * anything of it (FILE_CHANGED on the first difference), sends only the parts S3 lacks, completes
 * and removes the journal entry. The stored object is byte-identical to an uninterrupted upload's.
 *
 * A single-PUT upload keeps nothing when it fails, so it is sent again whole under a fresh
 * stream header. The source's size, and the file's size and modification time when both sides
 * know them, must match the journal (FILE_CHANGED) before anything is asked of the server.
 */
export async function resumeUpload(
  ctx: ClientContext,
  entry: UploadJournalEntry,
  source: ResumeSource,
  options: ResumeOptions,
): Promise<ResumeResult> {
  try {
    return await resume(ctx, entry, source, options);
  } catch (error) {
    if (!source.stream.locked) await source.stream.cancel().catch(() => undefined);
    throw error;
  }
}

async function resume(ctx: ClientContext, entry: UploadJournalEntry, source: ResumeSource, options: ResumeOptions): Promise<ResumeResult> {
  const { documentId, version } = entry;
  const session = await ctx.keeper.current();
  if (entry.serverUrl !== ctx.api.baseUrl || entry.userId !== session.userId) {
    throw new ResumeRefusedError(`This upload was started by ${entry.userId} on ${entry.serverUrl}: resume it there.`, {
      userId: entry.userId,
      serverUrl: entry.serverUrl,
    });
  }
  checkSource(entry, source);

  let info: ResumeUploadResponse;
  try {
    info = await ctx.api.get<ResumeUploadResponse>(`${documentPath(documentId)}/versions/${version}/upload`);
  } catch (error) {
    // Completed already (the journal outlived it) or abandoned and cleaned up: nothing to resume, ever.
    if (isApiError(error, 404, 'UPLOAD_NOT_FOUND')) await options.journal.remove(documentId, version);
    throw error;
  }
  checkPlan(entry, info);

  const dek = await openDataKey(ctx, entry, info, session.userId);
  try {
    const send = {
      documentId,
      version,
      dek,
      stream: source.stream,
      size: source.size,
      ...(options.onProgress && { onProgress: options.onProgress }),
      ...(options.signal && { signal: options.signal }),
    };
    let sent: SentContent;
    if (info.kind === 'single' || !entry.header) {
      // Nothing S3 keeps was made under the old header (a single PUT; or no part ever started): a fresh stream.
      if (info.stored.length > 0) throw new FileChangedError('parts are stored but the journal has no stream header');
      sent = await sendEncrypted(ctx, { ...send, plan: planOf(info), journal: { store: options.journal, ...(entry.source && { source: entry.source }) } }, undefined);
    } else {
      sent = await sendEncrypted(ctx, { ...send, plan: planOf(info) }, {
        header: fromBase64Url(entry.header),
        stored: new Map(info.stored.map((p) => [p.partNumber, { etag: p.etag, size: p.size }])),
        checks: entry.parts,
        recorder: new JournalRecorder(options.journal, entry),
      });
    }
    const completion = version === 1 ? `${documentPath(documentId)}/complete` : `${documentPath(documentId)}/versions/${version}/complete`;
    await ctx.api.post<unknown>(completion, sent);
  } finally {
    dek.fill(0);
  }
  await options.journal.remove(documentId, version);
  const kept = info.kind === 'multipart' && entry.header ? info.stored.length : 0;
  return { documentId, version, size: source.size, ciphertextSize: ciphertextSize(source.size), partsKept: kept, partsSent: info.partCount - kept };
}

/** The same bytes as before, as far as can be told before reading them: size, and the file's size and mtime. */
function checkSource(entry: UploadJournalEntry, source: ResumeSource): void {
  if (source.size !== entry.plaintextSize) {
    throw new FileChangedError(`it has ${source.size} bytes, not ${entry.plaintextSize}`, { size: source.size, expected: entry.plaintextSize });
  }
  const was = entry.source;
  const now = source.identity;
  if (was && now && (now.size !== was.size || now.mtimeMs !== was.mtimeMs)) {
    throw new FileChangedError(`it was modified at ${new Date(now.mtimeMs).toISOString()}, after the upload started`, {
      mtimeMs: now.mtimeMs,
      expected: was.mtimeMs,
    });
  }
}

/** The server's answer must describe the upload the journal recorded. */
function checkPlan(entry: UploadJournalEntry, info: ResumeUploadResponse): void {
  const same =
    info.documentId === entry.documentId &&
    info.version === entry.version &&
    info.kind === entry.kind &&
    (info.kind === 'single' || (info.uploadId === entry.uploadId && info.partSize === entry.partSize && info.partCount === entry.partCount)) &&
    ciphertextSize(entry.plaintextSize) === entry.ciphertextSize;
  if (!same) {
    throw new ResumeRefusedError(
      `The server's upload of ${entry.documentId} version ${entry.version} is not the one this journal recorded: upload the file again.`,
    );
  }
}

function planOf(info: ResumeUploadResponse): UploadInstructions {
  if (info.kind === 'single') {
    const put = info.parts.find((p) => p.partNumber === 1);
    if (!put) throw new ResumeRefusedError('The server gave no URL to upload to: try again.');
    return { kind: 'single', url: put.url, method: 'PUT', headers: {}, expiresAt: info.expiresAt };
  }
  return { kind: 'multipart', uploadId: info.uploadId!, partSize: info.partSize, parts: info.parts, expiresAt: info.expiresAt };
}

/**
 * The key the interrupted upload encrypted under: a new document's key exists only in its pending
 * grants (the caller's own, unwrapped with the private key); a new version's is the document's key
 * of the version's generation, which must still be the current one (completion refuses otherwise).
 */
async function openDataKey(ctx: ClientContext, entry: UploadJournalEntry, info: ResumeUploadResponse, userId: string): Promise<Uint8Array> {
  if (info.wrappedKey) {
    return unwrapKey(await ctx.privateKey(), fromBase64Url(info.wrappedKey), dekLabel(entry.documentId, info.keyGeneration, userId));
  }
  const opened = await nodeKey(ctx, entry.documentId);
  if (opened.keyGeneration !== info.keyGeneration) {
    opened.key.fill(0);
    throw new ResumeRefusedError(
      `The document's key was rotated since this upload started (generation ${info.keyGeneration}, now ${opened.keyGeneration}): upload the file again as a new version.`,
      { keyGeneration: opened.keyGeneration },
    );
  }
  return opened.key;
}

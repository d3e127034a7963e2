import { ciphertextSize, plaintextSize } from '../../shared/core/crypto/index.js';
import type { CreateVersionResponse, ListVersionsResponse, VersionSummary as WireVersionSummary } from '../../shared/core/api/schemas/versions.js';
import { openSource, type ByteSource } from './byteStreams.js';
import type { ClientContext } from './ClientContext.js';
import { download } from './download.js';
import { nodeKey } from './folders.js';
import { documentPath } from './paths.js';
import { isApiError, retryConcurrentUpdates } from './retry.js';
import { rotateDocumentKey } from './rotation.js';
import { type JournalOptions, sendContent, type TransferProgress } from './upload.js';

/** A version as the SDK lists it: sizes as `list` gives them, the plaintext's and the ciphertext's. */
export interface VersionSummary extends Omit<WireVersionSummary, 'size'> {
  /** Plaintext bytes (derived from the ciphertext size: the envelope's overhead is fixed per chunk). */
  size: number;
  ciphertextSize: number;
}

export interface UploadVersionOptions {
  /** Plaintext size in bytes; required when the source is a stream. */
  size?: number;
  onProgress?: (progress: TransferProgress) => void;
  signal?: AbortSignal;
  /** Keep a resume journal while sending (deleted on success): see resumeUpload. */
  journal?: JournalOptions;
  /** The version this upload restores (set by restoreVersion: the server records it in the audit log). */
  restoredFrom?: number;
}

/** Restore and rotate re-upload a download: there is no file to resume from, so no journal. */
export type ReuploadOptions = Omit<UploadVersionOptions, 'journal' | 'size' | 'restoredFrom'>;

export interface VersionUploadResult {
  documentId: string;
  version: number;
  keyGeneration: number;
  /** Plaintext size. */
  size: number;
  ciphertextSize: number;
}

export interface VersionPage {
  versions: VersionSummary[];
  cursor?: string;
}

export interface RotateResult {
  documentId: string;
  keyGeneration: number;
  /** Share links the new key made stale: they open nothing any more; make new ones with `createLink`. */
  staleLinks: number;
  /** The version holding the latest content re-encrypted under the new key (absent with `keyOnly`). */
  version?: number;
}

/**
 * Uploads new content as the document's next version (docs/versions.md): reserve a version number
 * under the current key generation, encrypt with `{ documentId, version }` in the stream AAD, send,
 * complete. A reservation lost to a concurrent upload is retried (both land as consecutive versions).
 * After a revoke whose rotation did not run, a manager's upload rotates the key first.
 */
export async function uploadVersion(
  ctx: ClientContext,
  documentId: string,
  source: ByteSource,
  options: UploadVersionOptions = {},
): Promise<VersionUploadResult> {
  const { stream, size } = openSource(source, options.size);
  try {
    const ctSize = ciphertextSize(size);
    const { reserved, key } = await reserveVersion(ctx, documentId, ctSize, options.restoredFrom);
    try {
      const sent = await sendContent(ctx, {
        documentId,
        version: reserved.version,
        dek: key,
        stream,
        size,
        plan: reserved.upload,
        ...(options.onProgress ? { onProgress: options.onProgress } : {}),
        ...(options.signal ? { signal: options.signal } : {}),
        ...(options.journal ? { journal: options.journal } : {}),
      });
      await ctx.api.post<WireVersionSummary>(`${documentPath(documentId)}/versions/${reserved.version}/complete`, sent);
      await options.journal?.store.remove(documentId, reserved.version);
    } finally {
      key.fill(0);
    }
    return { documentId, version: reserved.version, keyGeneration: reserved.keyGeneration, size, ciphertextSize: ctSize };
  } catch (error) {
    if (!stream.locked) await stream.cancel().catch(() => undefined);
    throw error;
  }
}

/** The document key of the current generation and a reserved version number under it. */
async function reserveVersion(
  ctx: ClientContext,
  documentId: string,
  size: number,
  restoredFrom: number | undefined,
): Promise<{ reserved: CreateVersionResponse; key: Uint8Array }> {
  for (let rotated = false; ; rotated = true) {
    const opened = await nodeKey(ctx, documentId);
    try {
      const reserved = await retryConcurrentUpdates(() =>
        ctx.api.post<CreateVersionResponse>(`${documentPath(documentId)}/versions`, { size, keyGeneration: opened.keyGeneration, ...(restoredFrom !== undefined ? { restoredFrom } : {}) }),
      );
      return { reserved, key: opened.key };
    } catch (error) {
      opened.key.fill(0);
      // A revoke left the key to rotate: a manager does it now; anyone else gets the error (ask a manager).
      if (!rotated && isApiError(error, 409, 'KEY_ROTATION_REQUIRED') && (await canManage(ctx, documentId))) {
        await rotateDocumentKey(ctx, documentId);
        continue;
      }
      // The key was rotated between reading it and reserving: read it again once.
      if (!rotated && isApiError(error, 409, 'KEY_GENERATION_STALE')) continue;
      throw error;
    }
  }
}

async function canManage(ctx: ClientContext, documentId: string): Promise<boolean> {
  const [access] = await ctx.api.post<{ results: { nodeId: string; capabilities: string[] }[] }>('/access/check', { nodeIds: [documentId] }).then((r) => r.results);
  return access?.capabilities.includes('manage') ?? false;
}

/** Active versions, newest first, one page. */
export async function listVersions(ctx: ClientContext, documentId: string, options: { limit?: number; cursor?: string } = {}): Promise<VersionPage> {
  const page = await ctx.api.get<ListVersionsResponse>(`${documentPath(documentId)}/versions`, { query: { limit: options.limit, cursor: options.cursor } });
  return {
    versions: page.versions.map((v) => ({ ...v, size: plaintextSize(v.size), ciphertextSize: v.size })),
    ...(page.cursor ? { cursor: page.cursor } : {}),
  };
}

/** Every active version across all pages, newest first. */
export async function* listAllVersions(ctx: ClientContext, documentId: string, pageSize = 100): AsyncGenerator<VersionSummary, void, undefined> {
  let cursor: string | undefined;
  do {
    const page = await listVersions(ctx, documentId, { limit: pageSize, ...(cursor ? { cursor } : {}) });
    yield* page.versions;
    cursor = page.cursor;
  } while (cursor);
}

/**
 * Restores an old version as a new version: its plaintext is decrypted here and encrypted again
 * under the current key generation, streaming (constant memory). The old version stays as it was.
 */
export function restoreVersion(ctx: ClientContext, documentId: string, version: number, options: ReuploadOptions = {}): Promise<VersionUploadResult> {
  return reupload(ctx, documentId, version, options);
}

/**
 * `coffer rotate`: a new key generation now (registry swap in one conditional transaction), then,
 * unless `keyOnly`, the latest content downloaded, re-encrypted under the new key and uploaded as a
 * new version, for when a revoked user may have kept the old key and the ciphertext.
 */
export async function rotate(ctx: ClientContext, documentId: string, options: ReuploadOptions & { keyOnly?: boolean } = {}): Promise<RotateResult> {
  const rotated = await rotateDocumentKey(ctx, documentId);
  if (options.keyOnly) return rotated;
  const latest = await reupload(ctx, documentId, undefined, options);
  return { ...rotated, version: latest.version };
}

/** Downloads a version (default: the current one) and uploads its plaintext as the next version. */
async function reupload(ctx: ClientContext, documentId: string, version: number | undefined, options: ReuploadOptions): Promise<VersionUploadResult> {
  const old = await download(ctx, documentId, { ...(version !== undefined ? { version } : {}), ...(options.signal ? { signal: options.signal } : {}) });
  return uploadVersion(ctx, documentId, old.stream, { ...options, size: old.size, ...(version !== undefined ? { restoredFrom: version } : {}) });
}

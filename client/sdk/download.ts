import { decryptMetadata, decryptStream, plaintextSize } from '../../shared/crypto/index.js';
import type { GetDocumentResponse } from '../../shared/schemas/documents.js';
import { countingStream } from './byteStreams.js';
import type { ClientContext } from './ClientContext.js';
import { NAME_FIELD } from './dataKeys.js';
import { openKeyPath } from './nodeKeys.js';
import { documentPath } from './paths.js';
import { getPresigned } from './presigned.js';
import type { TransferProgress } from './upload.js';

export interface DownloadOptions {
  onProgress?: (progress: TransferProgress) => void;
  signal?: AbortSignal;
}

export interface DownloadResult {
  documentId: string;
  /** The decrypted original name, exactly as the uploader gave it: sanitise before using it as a path. */
  name: string;
  /** Plaintext size. */
  size: number;
  ownerId: string;
  /**
   * The plaintext. Every chunk is authenticated before it is emitted, but only the end
   * of the stream proves nothing was cut off: treat the data as final only once the
   * stream has closed without error (the CLI writes a temp file and renames it then).
   */
  stream: ReadableStream<Uint8Array>;
}

/**
 * GET /documents/{id} -> open the DEK along the key path (a direct grant, a group's grant
 * through the group keyring, or a folder's key down the tree) -> decrypt the name -> fetch
 * the presigned URL -> decrypt the stream. Every key-wrap label and the envelope bind the
 * document id, so the server cannot swap one document's key or content for another's.
 */
export async function download(ctx: ClientContext, documentId: string, options: DownloadOptions = {}): Promise<DownloadResult> {
  const doc = await ctx.api.get<GetDocumentResponse>(documentPath(documentId));
  const dek = await openKeyPath(ctx, { nodeId: documentId, kind: 'document' }, doc.keyPath);
  let name: string;
  let ciphertext: ReadableStream<Uint8Array>;
  try {
    name = await decryptMetadata(dek, documentId, NAME_FIELD, doc.encryptedName);
    ciphertext = await getPresigned(ctx.fetch, doc.download.url, options.signal);
  } catch (error) {
    dek.fill(0);
    throw error;
  }
  const size = plaintextSize(doc.size);
  const report = options.onProgress;
  const stream = ciphertext
    .pipeThrough(decryptStream(dek, { documentId, version: doc.version }))
    .pipeThrough(countingStream((bytes) => report?.({ bytes, total: size })));
  return { documentId, name, size, ownerId: doc.ownerId, stream };
}

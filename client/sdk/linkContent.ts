import { countingStream } from './byteStreams.js';
import { decryptStream } from '../../shared/core/crypto/index.js';
import type { FetchLike } from './ApiClient.js';
import { digestCheckStream } from './digestCheckStream.js';
import { IntegrityMismatchError } from './errors.js';
import { getPresigned } from './presigned.js';
import type { TransferProgress } from './upload.js';

/**
 * What a document opened through a link needs to be read: its presigned URL, its content key and
 * what the envelope and the digest are checked against. Structured-cloneable, so a browser page
 * can hand it to a Web Worker that decrypts there (client/web/src/link/linkDownloadWorker.ts):
 * the bytes then never pass through the page. It holds the document's key: keep it in memory.
 */
export interface LinkContent {
  url: string;
  /** The content key (raw bytes); zeroed by nobody else while the stream runs. */
  key: Uint8Array;
  documentId: string;
  version: number;
  /** Ciphertext size and SHA-256 as recorded at completion, when the server sent them. */
  ciphertextSize?: number;
  digest?: string;
  /** Plaintext size (progress's total). */
  size?: number;
}

export interface LinkContentOptions {
  signal?: AbortSignal;
  onProgress?: (progress: TransferProgress) => void;
}

/**
 * The document's plaintext: presigned GET → digest check → the authenticated envelope, as
 * download()'s; final only once it has closed without error. The one place a link's content is
 * read, whether in openLink or in a worker given the LinkContent.
 */
export async function linkContentStream(content: LinkContent, fetchImpl: FetchLike, options: LinkContentOptions = {}): Promise<ReadableStream<Uint8Array>> {
  let ciphertext = await getPresigned(fetchImpl, content.url, options.signal);
  if (content.digest !== undefined && content.ciphertextSize !== undefined) {
    ciphertext = ciphertext.pipeThrough(digestCheckStream(content.ciphertextSize, content.digest, () => new IntegrityMismatchError(content.documentId, content.version)));
  }
  const report = options.onProgress;
  return ciphertext
    .pipeThrough(decryptStream(content.key, { documentId: content.documentId, version: content.version }))
    .pipeThrough(countingStream((bytes) => report?.({ bytes, total: content.size ?? 0 })));
}

import {
  ciphertextSize,
  encryptMetadata,
  encryptStream,
  fromBase64Url,
  generateDataKey,
  importPublicKey,
  toBase64Url,
} from '../../shared/crypto/index.js';
import {
  MAX_GRANTS_PER_REQUEST,
  type CompleteDocumentBody,
  type CreateDocumentBody,
  type CreateDocumentResponse,
  type UploadInstructions,
} from '../../shared/schemas/documents.js';
import { forEachBounded } from './bounded.js';
import { collect, countingStream, exactLengthStream, openSource, type ByteSource } from './byteStreams.js';
import type { ClientContext } from './ClientContext.js';
import { NAME_FIELD, wrapForRecipients } from './dataKeys.js';
import { UploadPlanError } from './errors.js';
import { placementIn } from './folders.js';
import { partCount, splitIntoParts } from './multipart.js';
import { putPresigned } from './presigned.js';
import { documentPath } from './paths.js';
import type { Recipient } from './Recipients.js';
import { shareDocumentKey } from './share.js';
import { newId } from './ids.js';

export interface TransferProgress {
  /** Plaintext bytes processed so far. */
  bytes: number;
  /** Plaintext size. */
  total: number;
}

export interface UploadOptions {
  /** The file name; encrypted before it leaves the client. */
  name: string;
  /** Plaintext size in bytes; required when the source is a stream. */
  size?: number;
  /** Users who get a key besides the owner. */
  shareWith?: readonly string[];
  /** Users whose changed public key the caller has verified (see KeyChangedError). */
  acceptNewKeyFor?: readonly string[];
  /** The folder to put it in (default: the top level); its key is wrapped under the folder's key. */
  parent?: string;
  onProgress?: (progress: TransferProgress) => void;
  signal?: AbortSignal;
}

export interface UploadResult {
  documentId: string;
  name: string;
  size: number;
  ciphertextSize: number;
  sharedWith: string[];
}

/** The first (and only, in this foundation) key generation and content version of a document. */
const FIRST_GENERATION = 1;
const FIRST_VERSION = 1;

/**
 * Encrypts and uploads a document: the id, the DEK, the encrypted name and every
 * wrapped key are made here; the server and S3 only ever see ciphertext.
 */
export async function upload(ctx: ClientContext, source: ByteSource, options: UploadOptions): Promise<UploadResult> {
  const { stream, size } = openSource(source, options.size);
  try {
    return await encryptAndSend(ctx, stream, size, options);
  } catch (error) {
    // Failed before the stream was piped (unknown user, changed key, refused create): release the source (a file).
    if (!stream.locked) await stream.cancel().catch(() => undefined);
    throw error;
  }
}

async function encryptAndSend(
  ctx: ClientContext,
  stream: ReadableStream<Uint8Array>,
  size: number,
  options: UploadOptions,
): Promise<UploadResult> {
  const session = await ctx.keeper.current();
  const others = [...new Set(options.shareWith ?? [])].filter((id) => id !== session.userId);
  // Resolve recipients before anything is created: an unknown user or a changed key fails fast.
  const recipients = await ctx.recipients.resolve(others, { acceptNewKeyFor: options.acceptNewKeyFor ?? [] });
  const owner: Recipient = {
    userId: session.userId,
    publicKey: await importPublicKey(fromBase64Url(session.publicKeySpki)),
    fingerprint: session.fingerprint,
  };

  const documentId = newDocumentId();
  const dek = generateDataKey();
  try {
    const grants = await wrapForRecipients(dek, documentId, FIRST_GENERATION, [owner, ...recipients]);
    const ctSize = ciphertextSize(size);
    const body: CreateDocumentBody = {
      documentId,
      size: ctSize,
      keyGeneration: FIRST_GENERATION,
      encryptedName: await encryptMetadata(dek, documentId, NAME_FIELD, options.name),
      grants: grants.slice(0, MAX_GRANTS_PER_REQUEST),
      ...(options.parent ? await placementIn(ctx, options.parent, { nodeId: documentId, key: dek, keyGeneration: FIRST_GENERATION }) : {}),
    };
    const created = await ctx.api.post<CreateDocumentResponse>('/documents', body);

    const report = options.onProgress;
    const ciphertext = stream
      .pipeThrough(exactLengthStream(size))
      .pipeThrough(countingStream((bytes) => report?.({ bytes, total: size })))
      .pipeThrough(encryptStream(dek, { documentId, version: FIRST_VERSION }));
    const complete = await sendCiphertext(ctx, created.upload, ciphertext, ctSize, options.signal);
    await ctx.api.post<unknown>(`${documentPath(documentId)}/complete`, complete);

    // The create request holds at most MAX_GRANTS_PER_REQUEST grants; the rest are shares.
    const remaining = grants.slice(MAX_GRANTS_PER_REQUEST);
    if (remaining.length > 0) await shareDocumentKey(ctx, documentId, FIRST_GENERATION, remaining);
    return { documentId, name: options.name, size, ciphertextSize: ctSize, sharedWith: recipients.map((r) => r.userId) };
  } finally {
    dek.fill(0);
  }
}

/** Puts the ciphertext where the server said: one presigned PUT, or parts with bounded parallelism. */
async function sendCiphertext(
  ctx: ClientContext,
  plan: UploadInstructions,
  ciphertext: ReadableStream<Uint8Array>,
  size: number,
  signal: AbortSignal | undefined,
): Promise<CompleteDocumentBody> {
  const withSignal = signal ? { signal } : {};
  if (plan.kind === 'single') {
    const { streamSingleUploads, bufferSingleUploadsUpTo } = ctx.tuning;
    const body = streamSingleUploads && size > bufferSingleUploadsUpTo ? ciphertext : await collect(ciphertext, size);
    await putPresigned(ctx.fetch, plan.url, body, size, { headers: plan.headers, ...withSignal });
    return {};
  }

  const expected = partCount(size, plan.partSize);
  const urls = [...plan.parts].sort((a, b) => a.partNumber - b.partNumber);
  if (urls.length !== expected || urls.some((p, i) => p.partNumber !== i + 1)) {
    await ciphertext.cancel().catch(() => undefined);
    throw new UploadPlanError(
      `The server planned ${urls.length} parts of ${plan.partSize} bytes for ${size} bytes; expected parts 1..${expected}.`,
    );
  }
  const parts: { partNumber: number; etag: string }[] = [];
  await forEachBounded(splitIntoParts(ciphertext, plan.partSize), ctx.tuning.partConcurrency, async (part, i) => {
    const target = urls[i];
    if (!target) throw new UploadPlanError(`The ciphertext produced more than the ${expected} planned parts.`);
    const etag = await putPresigned(ctx.fetch, target.url, part, part.byteLength, withSignal);
    if (!etag) throw new UploadPlanError(`Object storage returned no ETag for part ${target.partNumber} (is ETag exposed by CORS?).`);
    parts[i] = { partNumber: target.partNumber, etag };
  });
  if (parts.length !== expected) throw new UploadPlanError(`Only ${parts.length} of ${expected} parts were produced.`);
  return { parts };
}

const newDocumentId = newId;

import {
  ciphertextSize,
  digestStream,
  encryptMetadata,
  encryptStream,
  fromBase64Url,
  generateDataKey,
  HEADER_SIZE,
  importPublicKey,
  UNSAFE_encryptStreamWithHeader,
} from '../../shared/core/crypto/index.js';
import {
  MAX_GRANTS_PER_REQUEST,
  type CompleteDocumentBody,
  type CreateDocumentBody,
  type CreateDocumentResponse,
  type UploadInstructions,
} from '../../shared/core/api/schemas/documents.js';
import { forEachBounded } from './bounded.js';
import { collect, exactLengthStream, openSource, type ByteSource } from './byteStreams.js';
import { DEFAULT_PART_MEMORY, type ClientContext } from './ClientContext.js';
import { NAME_FIELD, wrapForRecipients } from './dataKeys.js';
import { UploadPlanError } from './errors.js';
import { placementIn } from './folders.js';
import { cutParts, partCount, PartBuffers } from './multipart.js';
import { putPresigned } from './presigned.js';
import { FileChangedError } from './uploadErrors.js';
import { JournalRecorder, type SourceIdentity, type UploadJournal, type UploadRecorder } from './uploadJournal.js';
import { documentPath } from './paths.js';
import type { Recipient } from './Recipients.js';
import { share, shareDocumentKey } from './share.js';
import { splitPrincipals } from './permissions.js';
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
  /** Users (`alice`, `u:alice`) and groups (`g:<groupId>`) who get a key besides the owner, as viewers. */
  shareWith?: readonly string[];
  /** Users (and groups, `g:<groupId>`) whose changed public key the caller has verified (see KeyChangedError). */
  acceptNewKeyFor?: readonly string[];
  /** The folder to put it in (default: the top level); its key is wrapped under the folder's key. */
  parent?: string;
  onProgress?: (progress: TransferProgress) => void;
  signal?: AbortSignal;
  /** Keep a resume journal here while sending (deleted on success): see resumeUpload. */
  journal?: JournalOptions;
}

/** Where sendContent records the upload for a later resume, and the file the plaintext is. */
export interface JournalOptions {
  store: UploadJournal;
  /** The source file (a resume refuses another size or mtime); absent for a stream that is not a file. */
  source?: SourceIdentity;
}

export interface UploadResult {
  documentId: string;
  name: string;
  size: number;
  ciphertextSize: number;
  /** User ids, then groups as `g:<groupId>`. */
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
  const { userIds, groupIds } = splitPrincipals(options.shareWith ?? []);
  const others = userIds.filter((id) => id !== session.userId);
  const accept = { acceptNewKeyFor: options.acceptNewKeyFor ?? [] };
  // Resolve recipients before anything is created: an unknown user or group, or a changed key, fails fast.
  const recipients = await ctx.recipients.resolve(others, accept);
  await ctx.recipients.resolveGroups(groupIds, accept);
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

    const complete: CompleteDocumentBody = await sendContent(ctx, {
      documentId,
      version: FIRST_VERSION,
      dek,
      stream,
      size,
      plan: created.upload,
      ...(options.onProgress && { onProgress: options.onProgress }),
      ...(options.signal && { signal: options.signal }),
      ...(options.journal && { journal: options.journal }),
    });
    await ctx.api.post<unknown>(`${documentPath(documentId)}/complete`, complete);
    await options.journal?.store.remove(documentId, FIRST_VERSION);

    // The create request holds at most MAX_GRANTS_PER_REQUEST grants; the rest are shares.
    const remaining = grants.slice(MAX_GRANTS_PER_REQUEST);
    if (remaining.length > 0) await shareDocumentKey(ctx, documentId, FIRST_GENERATION, remaining);
    // Groups as a share of the finished document (their keys were pin-checked above, before the create).
    const groups = groupIds.length > 0 ? (await share(ctx, documentId, { groupIds }, accept)).sharedWith : [];
    return { documentId, name: options.name, size, ciphertextSize: ctSize, sharedWith: [...recipients.map((r) => r.userId), ...groups] };
  } finally {
    dek.fill(0);
  }
}

export interface SendContentOptions {
  documentId: string;
  /** The version the server reserved: bound into the stream AAD with the document id. */
  version: number;
  /** The document key of the generation the version was reserved under. Not wiped here. */
  dek: Uint8Array;
  /** The plaintext: exactly `size` bytes (anything else fails with SIZE_MISMATCH). */
  stream: ReadableStream<Uint8Array>;
  size: number;
  /** The server's upload instructions (POST /documents, POST /documents/{id}/versions). */
  plan: UploadInstructions;
  onProgress?: (progress: TransferProgress) => void;
  signal?: AbortSignal;
  /** Record the upload for a resume (the caller removes the entry once completion succeeded). */
  journal?: JournalOptions;
}

/** The completion body: `POST /documents/{id}/complete` or `/documents/{id}/versions/{version}/complete`. */
export interface SentContent {
  /** Multipart: every part's ETag, in order. */
  parts?: { partNumber: number; etag: string }[];
  /** The ciphertext digest (TagDigest of the whole stream), computed while encrypting. */
  digest: string;
}

/**
 * Encrypts a version's content with `{ documentId, version }` in the stream AAD and puts it where
 * the plan says: one PUT, or multipart parts. Memory is bounded whatever the size: at most
 * `partConcurrency` part buffers (fewer when `partMemory` says so), reused from part to part, and
 * a few 1 MiB chunks in the encryptor. Returns the completion body (parts and digest).
 * Document create and new versions both send through here; resumeUpload through sendEncrypted.
 */
export function sendContent(ctx: ClientContext, options: SendContentOptions): Promise<SentContent> {
  return sendEncrypted(ctx, options, undefined);
}

/** What a resume knows: the original stream header, the parts S3 holds, and the journal's check digests. */
export interface ResumeState {
  header: Uint8Array;
  stored: ReadonlyMap<number, { etag: string; size: number }>;
  /** Check digests recorded for parts whose PUT started. */
  checks: Readonly<Record<string, string>>;
  /** The journal being continued (new part checks are added to it). */
  recorder?: UploadRecorder;
}

/**
 * INTERNAL (sendContent and resumeUpload): with `resume`, the plaintext is encrypted again under
 * the interrupted stream's header (UNSAFE_encryptStreamWithHeader): only safe because every
 * re-made part with a recorded check digest is compared with it before anything of that part is
 * sent, and the first difference stops the upload with FILE_CHANGED. Do not remove that check.
 */
export async function sendEncrypted(
  ctx: ClientContext,
  options: SendContentOptions,
  resume: ResumeState | undefined,
): Promise<SentContent> {
  const { documentId, version, dek, size, plan, signal } = options;
  const ctSize = ciphertextSize(size);
  const context = { documentId, version };
  const encryptor = resume ? UNSAFE_encryptStreamWithHeader(dek, context, resume.header) : encryptStream(dek, context);
  const { stream: digesting, digest } = digestStream(ctSize);
  const ciphertext = options.stream.pipeThrough(exactLengthStream(size)).pipeThrough(encryptor).pipeThrough(digesting, signal ? { signal } : {});
  const progress = new SendProgress(size, ctSize, options.onProgress);
  try {
    if (plan.kind === 'single') {
      // Nothing of a single PUT is kept when it fails, so it is resumed with a fresh stream (new salt).
      if (resume) throw new UploadPlanError('A single-PUT upload is resumed with a fresh stream, not under its old header.');
      if (options.journal) await startJournal(ctx, options, plan);
      await sendSingle(ctx, plan, ciphertext, ctSize, progress, signal);
      return { digest: await digest };
    }
    const recorder = resume?.recorder ?? (options.journal ? await startJournal(ctx, options, plan) : undefined);
    const parts = await sendParts(ctx, plan, ciphertext, ctSize, progress, { signal, recorder, resume });
    return { parts, digest: await digest };
  } catch (error) {
    await ciphertext.cancel().catch(() => undefined);
    throw error;
  }
}

async function startJournal(ctx: ClientContext, options: SendContentOptions, plan: UploadInstructions): Promise<JournalRecorder> {
  const session = await ctx.keeper.current();
  const ctSize = ciphertextSize(options.size);
  const recorder = new JournalRecorder(options.journal!.store, {
    format: 1,
    serverUrl: ctx.api.baseUrl,
    userId: session.userId,
    documentId: options.documentId,
    version: options.version,
    kind: plan.kind,
    ...(plan.kind === 'multipart' && { uploadId: plan.uploadId, partSize: plan.partSize, partCount: partCount(ctSize, plan.partSize) }),
    plaintextSize: options.size,
    ciphertextSize: ctSize,
    ...(options.journal!.source && { source: options.journal!.source }),
    parts: {},
    createdAt: new Date().toISOString(),
  });
  await recorder.start();
  return recorder;
}

/** One PUT of the whole ciphertext: streamed when large and the fetch can (Node), else buffered (retryable). */
async function sendSingle(
  ctx: ClientContext,
  plan: Extract<UploadInstructions, { kind: 'single' }>,
  ciphertext: ReadableStream<Uint8Array>,
  size: number,
  progress: SendProgress,
  signal: AbortSignal | undefined,
): Promise<void> {
  const { streamSingleUploads, bufferSingleUploadsUpTo } = ctx.tuning;
  const slot = progress.slot();
  const put = { headers: plan.headers, onBodyProgress: (bytes: number) => slot.set(bytes), ...(signal && { signal }) };
  if (streamSingleUploads && size > bufferSingleUploadsUpTo) {
    await putPresigned(ctx.fetch, plan.url, ciphertext, size, put);
  } else {
    const body = await collect(ciphertext, size);
    await putPresigned(ctx.fetch, plan.url, body, size, { ...put, streamBuffer: streamBodies(ctx), blobBody: ctx.tuning.blobRequestBodies === true });
  }
  slot.done(size);
}

/**
 * Multipart: parts cut from the ciphertext into pooled buffers (cutParts), at most as many in
 * memory as there are buffers, each PUT as soon as it is cut. With a recorder, a part's check
 * digest is saved before its PUT starts (and the header before the first one).
 */
async function sendParts(
  ctx: ClientContext,
  plan: Extract<UploadInstructions, { kind: 'multipart' }>,
  ciphertext: ReadableStream<Uint8Array>,
  size: number,
  progress: SendProgress,
  options: { signal: AbortSignal | undefined; recorder: UploadRecorder | undefined; resume: ResumeState | undefined },
): Promise<{ partNumber: number; etag: string }[]> {
  const { signal, recorder, resume } = options;
  const expected = partCount(size, plan.partSize);
  const urls = new Map(plan.parts.map((p) => [p.partNumber, p.url]));
  // Every part has a URL, or (resuming) is stored already; and no URL is for a part that cannot exist.
  const missing = Array.from({ length: expected }, (_, i) => i + 1).filter((n) => !urls.has(n) && !resume?.stored.has(n));
  if (missing.length > 0 || urls.size !== plan.parts.length || plan.parts.some((p) => p.partNumber < 1 || p.partNumber > expected)) {
    throw new UploadPlanError(
      `The server planned ${plan.parts.length} parts of ${plan.partSize} bytes for ${size} bytes; expected parts 1..${expected}` +
        `${resume ? ` less the ${resume.stored.size} stored` : ''}.`,
    );
  }
  const buffers = new PartBuffers(partBufferCount(ctx, plan.partSize), plan.partSize);
  const parts: { partNumber: number; etag: string }[] = [];
  const stream = streamBodies(ctx);
  await forEachBounded(cutParts(ciphertext, size, plan.partSize, buffers), ctx.tuning.partConcurrency, async (part) => {
    const slot = progress.slot();
    try {
      const n = part.partNumber;
      if (n === 1 && recorder && !resume) await recorder.header(part.bytes.subarray(0, HEADER_SIZE));
      const recorded = resume?.checks[String(n)];
      // Do not remove: a re-made part that differs from what was recorded is never sent (nonce reuse).
      if (recorded !== undefined && recorded !== part.check) throw new FileChangedError(`part ${n} differs`, { partNumber: n });
      const stored = resume?.stored.get(n);
      if (stored && stored.size === part.bytes.byteLength) {
        if (recorded === undefined) throw new FileChangedError(`part ${n} is stored but was never recorded`, { partNumber: n });
        parts[n - 1] = { partNumber: n, etag: stored.etag };
        slot.done(part.bytes.byteLength);
        return;
      }
      if (recorded === undefined) await recorder?.partStarted(n, part.check);
      const etag = await putPresigned(ctx.fetch, urls.get(n)!, part.bytes, part.bytes.byteLength, {
        streamBuffer: stream,
        blobBody: ctx.tuning.blobRequestBodies === true,
        onBodyProgress: (bytes) => slot.set(bytes),
        ...(signal && { signal }),
      });
      if (!etag) throw new UploadPlanError(`Object storage returned no ETag for part ${n} (is ETag exposed by CORS?).`);
      parts[n - 1] = { partNumber: n, etag };
      slot.done(part.bytes.byteLength);
    } catch (error) {
      slot.set(0);
      throw error;
    } finally {
      part.release();
    }
  });
  if (parts.length !== expected || parts.some((p) => !p)) throw new UploadPlanError(`Only ${parts.filter(Boolean).length} of ${expected} parts were sent.`);
  return parts;
}

/** Part buffers: partConcurrency, or fewer when partMemory holds fewer parts of this size (at least one). */
export function partBufferCount(ctx: ClientContext, partSize: number): number {
  const memory = ctx.tuning.partMemory ?? DEFAULT_PART_MEMORY;
  return Math.max(1, Math.min(ctx.tuning.partConcurrency, Math.floor(memory / partSize)));
}

function streamBodies(ctx: ClientContext): boolean {
  return ctx.tuning.streamRequestBodies ?? ctx.tuning.streamSingleUploads;
}

/**
 * Progress of the bytes handed to the network, reported in plaintext bytes (the ciphertext is
 * 16 bytes per MiB and 38 bytes larger): each PUT holds a slot whose count a retry resets.
 */
class SendProgress {
  #done = 0;
  readonly #active = new Set<{ bytes: number }>();

  constructor(
    private readonly size: number,
    private readonly ciphertextSize: number,
    private readonly report: ((progress: TransferProgress) => void) | undefined,
  ) {}

  slot(): { set(bytes: number): void; done(bytes: number): void } {
    const entry = { bytes: 0 };
    this.#active.add(entry);
    return {
      set: (bytes) => {
        entry.bytes = bytes;
        this.#emit();
      },
      done: (bytes) => {
        this.#active.delete(entry);
        this.#done += bytes;
        this.#emit();
      },
    };
  }

  #emit(): void {
    if (!this.report) return;
    let sent = this.#done;
    for (const entry of this.#active) sent += entry.bytes;
    const bytes = sent >= this.ciphertextSize ? this.size : Math.min(this.size, Math.floor((sent * this.size) / this.ciphertextSize));
    this.report({ bytes, total: this.size });
  }
}

const newDocumentId = newId;

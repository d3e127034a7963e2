import type { FetchLike } from './ApiClient.js';
import { StorageError } from './errors.js';

export interface PutOptions {
  headers?: Record<string, string>;
  /** Attempts for a buffered body (network errors, 5xx, 429); a streamed body is sent once. */
  attempts?: number;
  signal?: AbortSignal;
  /**
   * Send a buffered body as a stream of slices of it with an explicit Content-Length (Node's
   * fetch; browsers cannot stream request bodies over HTTP/1.1). Node's fetch copies a
   * Uint8Array body whole before sending; slicing sends the caller's buffer as it is, so a part
   * costs its buffer and no copy. Each attempt makes a fresh stream: still retryable.
   */
  streamBuffer?: boolean;
  /**
   * Send a buffered body as a Blob (browsers; ignored with streamBuffer). Chromium keeps a copy of
   * a Uint8Array request body in the page's renderer for each request, garbage its V8 collects
   * late; a Blob is copied once into the browser's blob storage, outside the renderer, and the
   * request streams from there (docs/benchmarks.md, "The web app": a 1 GiB upload's renderer
   * growth fell from +271 to +192 MiB). Made once, so every attempt sends the same snapshot.
   */
  blobBody?: boolean;
  /** Bytes of the body handed to the network so far in this attempt (streamed bodies only; 0 again on a retry). */
  onBodyProgress?: (bytes: number) => void;
}

const RETRY_BASE_MS = 250;
/** Slice size when streaming a buffered body. */
const SLICE_BYTES = 1024 * 1024;

/**
 * PUT to a presigned object-storage URL; returns the ETag (needed to complete a
 * multipart upload; a browser only sees it if the bucket's CORS exposes ETag).
 */
export async function putPresigned(
  fetchImpl: FetchLike,
  url: string,
  body: Uint8Array<ArrayBuffer> | ReadableStream<Uint8Array>,
  size: number,
  options: PutOptions = {},
): Promise<string | undefined> {
  const oneShot = body instanceof ReadableStream;
  const streamed = oneShot || options.streamBuffer === true;
  const attempts = oneShot ? 1 : Math.max(1, options.attempts ?? 3);
  const headers: Record<string, string> = { ...options.headers };
  // A streamed body needs an explicit length: S3 refuses chunked PUTs. Node's fetch honours it.
  if (streamed) headers['content-length'] = String(size);

  const blob = !streamed && options.blobBody === true ? new Blob([body as Uint8Array<ArrayBuffer>]) : undefined;
  let lastError: unknown;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    if (attempt > 1) await sleep(RETRY_BASE_MS * 4 ** (attempt - 2));
    options.signal?.throwIfAborted();
    const requestBody = oneShot ? counted(body, options.onBodyProgress) : streamed ? slices(body, options.onBodyProgress) : (blob ?? body);
    const init: RequestInit & { duplex?: 'half' } = { method: 'PUT', headers, body: requestBody };
    if (streamed) init.duplex = 'half';
    if (options.signal) init.signal = options.signal;
    let response: Response;
    try {
      response = await fetchImpl(url, init);
    } catch (error) {
      if (error instanceof Error && error.name === 'AbortError') throw error;
      if (options.signal?.aborted) throw options.signal.reason;
      lastError = new StorageError(0, `Upload to object storage failed: ${describe(error)}.`);
      continue;
    }
    if (response.ok) {
      await response.body?.cancel().catch(() => undefined);
      return response.headers.get('etag') ?? undefined;
    }
    lastError = await storageError(response, 'Upload');
    if (!(response.status >= 500 || response.status === 429)) break;
  }
  throw lastError;
}

/** The buffer as a pull stream of views of it (no copy), reporting what was handed out. */
function slices(buffer: Uint8Array<ArrayBuffer>, onProgress: ((bytes: number) => void) | undefined): ReadableStream<Uint8Array> {
  let offset = 0;
  onProgress?.(0);
  return new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        if (offset >= buffer.byteLength) {
          controller.close();
          return;
        }
        const end = Math.min(offset + SLICE_BYTES, buffer.byteLength);
        controller.enqueue(buffer.subarray(offset, end));
        offset = end;
        onProgress?.(offset);
      },
    },
    { highWaterMark: 0 },
  );
}

/** A one-shot stream body, reporting what passed. */
function counted(stream: ReadableStream<Uint8Array>, onProgress: ((bytes: number) => void) | undefined): ReadableStream<Uint8Array> {
  if (!onProgress) return stream;
  let total = 0;
  return stream.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        controller.enqueue(chunk);
        total += chunk.byteLength;
        onProgress(total);
      },
    }),
  );
}

/** Bytes [start, end) of an object (end exclusive). */
export interface ByteRange {
  start: number;
  end: number;
}

/**
 * GET a presigned object-storage URL as a byte stream; with `range`, only those bytes (an HTTP
 * `Range` header, which a presigned GET does not sign). A ranged GET must be answered 206:
 * storage that ignores the range (200) is refused rather than streaming the whole object. A
 * range starting past the object's end is a StorageError with status 416.
 */
export async function getPresigned(
  fetchImpl: FetchLike,
  url: string,
  signal?: AbortSignal,
  range?: ByteRange,
): Promise<ReadableStream<Uint8Array>> {
  const init: RequestInit = {};
  if (signal) init.signal = signal;
  if (range) init.headers = { range: `bytes=${range.start}-${range.end - 1}` };
  let response: Response;
  try {
    response = await fetchImpl(url, init);
  } catch (error) {
    if (error instanceof Error && error.name === 'AbortError') throw error;
    throw new StorageError(0, `Download from object storage failed: ${describe(error)}.`);
  }
  if (!response.ok) throw await storageError(response, 'Download');
  if (range && response.status !== 206) {
    await response.body?.cancel().catch(() => undefined);
    throw new StorageError(response.status, 'Object storage ignored the byte range of a ranged download: download the whole document instead.');
  }
  if (!response.body) throw new StorageError(response.status, 'Download from object storage returned no body.');
  return response.body as ReadableStream<Uint8Array>;
}

async function storageError(response: Response, what: string): Promise<StorageError> {
  const text = await response.text().catch(() => '');
  // S3 errors are XML: <Error><Code>AccessDenied</Code><Message>Request has expired</Message>...
  const code = /<Code>([^<]{1,64})<\/Code>/.exec(text)?.[1];
  const message = /<Message>([^<]{1,200})<\/Message>/.exec(text)?.[1];
  const reason = [code, message].filter(Boolean).join(': ') || `${response.status} ${response.statusText}`.trim();
  const hint = response.status === 403 ? ' The link may have expired: retry the command.' : '';
  return new StorageError(response.status, `${what} ${what === 'Upload' ? 'to' : 'from'} object storage failed (${reason}).${hint}`);
}

function describe(error: unknown): string {
  if (error instanceof Error) {
    const cause = (error as Error & { cause?: unknown }).cause;
    return cause instanceof Error ? `${error.message} (${cause.message})` : error.message;
  }
  return String(error);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

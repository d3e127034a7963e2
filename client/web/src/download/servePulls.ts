import { CofferError } from '../../../../shared/core/errors/index.js';

/** What the download Service Worker says on a download's data port: give the next chunk, or stop. */
export type PullMessage = { type?: 'pull' | 'cancel' };

/** What goes back on it: a chunk (its buffer transferred), the end, or a failure. */
export type ChunkMessage = { type: 'chunk'; chunk: Uint8Array } | { type: 'end' } | { type: 'error' };

/**
 * Answers the download Service Worker's pulls on `port` from `plaintext`, one chunk per pull, so
 * the disk's pace sets the reading's (docs/web.md, "Downloads"). It runs in the worker that
 * decrypts: the account worker for a member's download, the link page's download worker for a
 * link; the chunks go to the Service Worker in one hop. Resolves once the last chunk is handed over; rejects when the
 * stream fails (a failed integrity check, a dropped connection; the Service Worker is told, and
 * fails the download) or the browser cancels the download.
 */
export function servePulls(port: MessagePort, plaintext: ReadableStream<Uint8Array>): Promise<void> {
  const reader = plaintext.getReader();
  return new Promise<void>((resolve, reject) => {
    const fail = (error: unknown) => {
      port.close();
      void reader.cancel().catch(() => undefined);
      reject(error);
    };
    port.onmessage = (event: MessageEvent<PullMessage>) => {
      if (event.data?.type === 'cancel') return fail(new CofferError('DOWNLOAD_INTERRUPTED', 'The download was cancelled in the browser.'));
      if (event.data?.type !== 'pull') return;
      sendNext(port, reader).then((done) => {
        if (!done) return;
        port.close();
        resolve();
      }, fail);
    };
  });
}

/**
 * One chunk to the Service Worker. The chunk's buffer is transferred, not copied, when the chunk
 * is the whole of it. Resolves true at the end of the stream; a failure of the stream is told to
 * the Service Worker and rethrown.
 */
async function sendNext(port: MessagePort, reader: ReadableStreamDefaultReader<Uint8Array>): Promise<boolean> {
  let next: ReadableStreamReadResult<Uint8Array>;
  try {
    next = await reader.read();
  } catch (error) {
    port.postMessage({ type: 'error' } satisfies ChunkMessage);
    throw error;
  }
  if (next.done) {
    port.postMessage({ type: 'end' } satisfies ChunkMessage);
    return true;
  }
  const value = next.value;
  const chunk = value.byteOffset === 0 && value.byteLength === value.buffer.byteLength ? value : value.slice();
  port.postMessage({ type: 'chunk', chunk } satisfies ChunkMessage, [chunk.buffer]);
  return false;
}

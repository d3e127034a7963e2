import { CofferError } from '../../../../shared/core/errors/index.js';

/** The Service Worker's URL and scope (vite.config.ts names the file; it sees /download/ only). */
const WORKER_URL = '/download-sw.js';
const WORKER_SCOPE = '/download/';
/** How long the browser has to take the download once the frame is navigated. */
const START_TIMEOUT_MS = 15_000;

export interface SaveTarget {
  /** Already made safe (safeFileName). */
  name: string;
  size?: number;
}

/**
 * Streams `plaintext` into a file download without collecting it (docs/web.md, "Downloads",
 * where the renderer's measured memory is discussed): the download Service Worker answers a hidden frame's navigation with a stream
 * that pulls its chunks from here, one at a time, over a MessageChannel. Resolves once the last
 * byte has been handed to the browser;
 * rejects, and the browser marks the download failed, when the stream errors (a failed
 * integrity check, a dropped connection), so a half-written file is never reported as saved.
 */
export async function saveToDisk(plaintext: ReadableStream<Uint8Array>, target: SaveTarget): Promise<void> {
  const worker = await downloadWorker();
  const id = randomId();
  const channel = new MessageChannel();
  const port = channel.port1;
  const reader = plaintext.getReader();
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    await new Promise<void>((resolve, reject) => {
      timer = setTimeout(() => reject(new CofferError('DOWNLOAD_NOT_STARTED', 'The browser did not start the download.')), START_TIMEOUT_MS);
      port.onmessage = (event: MessageEvent<WorkerMessage>) => {
        switch (event.data?.type) {
          case 'ready':
            return navigateFrame(`${WORKER_SCOPE}${id}`);
          case 'started':
            return clearTimeout(timer);
          case 'pull':
            return void sendNext(port, reader).then((done) => done && resolve(), reject);
          case 'cancel':
            return reject(new CofferError('DOWNLOAD_INTERRUPTED', 'The download was cancelled in the browser.'));
        }
      };
      worker.postMessage({ type: 'download', id, name: target.name, ...(target.size !== undefined ? { size: target.size } : {}) }, [channel.port2]);
    });
  } catch (error) {
    await reader.cancel().catch(() => undefined);
    throw asInterruption(error);
  } finally {
    clearTimeout(timer);
    port.close();
  }
}

type WorkerMessage = { type?: 'ready' | 'started' | 'pull' | 'cancel' };

/**
 * One chunk to the worker, when it asks (its download stream pulls: back-pressure from the disk).
 * The chunk's buffer is transferred, not copied, when the chunk is the whole of it. Resolves true
 * at the end of the stream; a failure of the stream (decryption, integrity, network) is told to
 * the worker, which fails the download, and rethrown here.
 */
async function sendNext(port: MessagePort, reader: ReadableStreamDefaultReader<Uint8Array>): Promise<boolean> {
  let next: ReadableStreamReadResult<Uint8Array>;
  try {
    next = await reader.read();
  } catch (error) {
    port.postMessage({ type: 'error' });
    throw error;
  }
  if (next.done) {
    port.postMessage({ type: 'end' });
    return true;
  }
  const value = next.value;
  const chunk = value.byteOffset === 0 && value.byteLength === value.buffer.byteLength ? value : value.slice();
  port.postMessage({ type: 'chunk', chunk }, [chunk.buffer]);
  return false;
}

/** The active download worker, registered on first use. */
async function downloadWorker(): Promise<ServiceWorker> {
  if (!('serviceWorker' in navigator)) {
    throw new CofferError('DOWNLOAD_UNSUPPORTED', 'This browser cannot save a streamed download (no Service Workers, as in some private windows).');
  }
  const registration = await navigator.serviceWorker.register(WORKER_URL, { scope: WORKER_SCOPE });
  const worker = registration.active ?? registration.waiting ?? registration.installing;
  if (!worker) throw new CofferError('DOWNLOAD_UNSUPPORTED', 'The download worker did not install.');
  if (worker.state !== 'activated') {
    await new Promise<void>((resolve, reject) => {
      worker.addEventListener('statechange', () => {
        if (worker.state === 'activated') resolve();
        if (worker.state === 'redundant') reject(new CofferError('DOWNLOAD_UNSUPPORTED', 'The download worker did not install.'));
      });
    });
  }
  return worker;
}

/** A hidden same-origin frame, navigated to the worker's URL: the page itself never leaves. */
function navigateFrame(url: string): void {
  // An earlier download's frame has long handed its download to the browser.
  document.querySelectorAll('iframe[data-download]').forEach((old) => old.remove());
  const frame = document.createElement('iframe');
  frame.dataset.download = '';
  frame.hidden = true;
  frame.title = 'download';
  frame.src = url;
  document.body.append(frame);
}

function randomId(): string {
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, '0')).join('');
}

/** A decryption or integrity failure keeps its code; anything else that broke the pipe is an interruption. */
function asInterruption(error: unknown): unknown {
  if (error instanceof CofferError) return error;
  return new CofferError('DOWNLOAD_INTERRUPTED', 'The download was interrupted before the end.');
}

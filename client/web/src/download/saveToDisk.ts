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
 * Streams `plaintext` into a file download with memory independent of its size (docs/web.md,
 * "Downloads"): the stream is handed to the download Service Worker, which answers a hidden
 * frame's navigation with it. Resolves once the last byte has been handed to the browser;
 * rejects, and the browser marks the download failed, when the stream errors (a failed
 * integrity check, a dropped connection), so a half-written file is never reported as saved.
 */
export async function saveToDisk(plaintext: ReadableStream<Uint8Array>, target: SaveTarget): Promise<void> {
  const worker = await downloadWorker();
  const id = randomId();
  const { readable, writable } = new TransformStream<Uint8Array, Uint8Array>();
  const channel = new MessageChannel();
  const started = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new CofferError('DOWNLOAD_NOT_STARTED', 'The browser did not start the download.')), START_TIMEOUT_MS);
    channel.port1.onmessage = (event: MessageEvent<{ type?: string }>) => {
      if (event.data?.type === 'ready') navigateFrame(`${WORKER_SCOPE}${id}`);
      if (event.data?.type === 'started') {
        clearTimeout(timer);
        resolve();
      }
    };
  });
  worker.postMessage({ type: 'download', id, name: target.name, ...(target.size !== undefined ? { size: target.size } : {}), stream: readable }, [
    channel.port2,
    readable as unknown as Transferable,
  ]);
  const abort = new AbortController();
  const piped = plaintext.pipeTo(writable, { signal: abort.signal });
  try {
    await started;
  } catch (error) {
    abort.abort(error);
    await piped.catch(() => undefined);
    throw error;
  } finally {
    channel.port1.close();
  }
  try {
    await piped;
  } catch (error) {
    throw asInterruption(error);
  }
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

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
 * Where a download's plaintext is made: a worker that answers the Service Worker's pulls itself
 * (servePulls.ts), the account worker for a member's download and the link page's download worker
 * for a link, so the chunks go worker → Service Worker in one hop, never through the page.
 */
export interface DownloadSource {
  /** Answers the pulls on `port`; resolves at the end, rejects on a failure. */
  serve(port: MessagePort): Promise<void>;
  /** The download never started: let go of the plaintext. */
  abandon(): void;
}

/**
 * Streams the source into a file download without collecting it (docs/web.md, "Downloads", where
 * the renderer's measured memory is discussed): the download Service Worker answers a hidden
 * frame's navigation with a stream that pulls its chunks one at a time over a data port, from
 * the worker that decrypts (servePulls.ts). Resolves once the last byte has been handed to
 * the browser; rejects, and the browser marks the download failed, when the source fails (a
 * failed integrity check, a dropped connection), so a half-written file is never reported as saved.
 */
export async function saveToDisk(source: DownloadSource, target: SaveTarget): Promise<void> {
  let served = false;
  const control = new MessageChannel();
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    const worker = await downloadWorker();
    const data = new MessageChannel();
    const id = randomId();
    await new Promise<void>((resolve, reject) => {
      timer = setTimeout(() => reject(new CofferError('DOWNLOAD_NOT_STARTED', 'The browser did not start the download.')), START_TIMEOUT_MS);
      control.port1.onmessage = (event: MessageEvent<ControlMessage>) => {
        switch (event.data?.type) {
          case 'ready':
            return navigateFrame(`${WORKER_SCOPE}${id}`);
          case 'started':
            // The data port has not been started here, so a pull already sent waits in it for its server.
            clearTimeout(timer);
            served = true;
            return void source.serve(data.port1).then(resolve, reject);
        }
      };
      const message = { type: 'download', id, name: target.name, ...(target.size !== undefined ? { size: target.size } : {}) };
      worker.postMessage(message, [control.port2, data.port2]);
    });
  } catch (error) {
    if (!served) source.abandon();
    throw asInterruption(error);
  } finally {
    clearTimeout(timer);
    control.port1.close();
  }
}

type ControlMessage = { type?: 'ready' | 'started' };

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

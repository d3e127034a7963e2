import type { ChunkMessage } from './servePulls.js';

/**
 * The download Service Worker (docs/web.md, "Downloads"). The page or the account worker
 * decrypts; this worker only turns plaintext into a file download: the page registers a download
 * (a random id, the name, the size, a control port and a data port), then navigates a hidden frame
 * to /download/<id>, and the worker answers that navigation with a stream and
 * Content-Disposition: attachment. The stream pulls one chunk at a time over the data port, from
 * whoever decrypts (servePulls.ts), as the browser writes to disk, so no more than a chunk or two
 * is ever held, and memory levels off whatever the file's size (docs/web.md). Nothing here
 * touches the network, and the file name never appears in a URL.
 *
 * Its scope is /download/ only: it sees no other request of the app.
 */

interface PendingDownload {
  name: string;
  size?: number;
  /** 'ready' and 'started' go to the page here. */
  control: MessagePort;
  /** Pulls go out and chunks come back here, from wherever the plaintext is made. */
  port: MessagePort;
}

interface DownloadMessage {
  type: 'download';
  id: string;
  name: string;
  size?: number;
}


/** The few Service Worker types used (the DOM lib has no ServiceWorkerGlobalScope). */
interface ExtendableEvent extends Event {
  waitUntil(promise: Promise<unknown>): void;
}
interface FetchEvent extends ExtendableEvent {
  request: Request;
  respondWith(response: Response | Promise<Response>): void;
}
interface ExtendableMessageEvent extends ExtendableEvent {
  data: unknown;
  ports: readonly MessagePort[];
}
interface WorkerScope {
  addEventListener(type: 'install' | 'activate', listener: (event: ExtendableEvent) => void): void;
  addEventListener(type: 'fetch', listener: (event: FetchEvent) => void): void;
  addEventListener(type: 'message', listener: (event: ExtendableMessageEvent) => void): void;
  skipWaiting(): Promise<void>;
  clients: { claim(): Promise<void> };
}

const scope = self as unknown as WorkerScope;
const pending = new Map<string, PendingDownload>();
const ID = /^\/download\/([0-9a-f]{32})$/;

scope.addEventListener('install', (event) => event.waitUntil(scope.skipWaiting()));
scope.addEventListener('activate', (event) => event.waitUntil(scope.clients.claim()));

scope.addEventListener('message', (event) => {
  const message = event.data as DownloadMessage | undefined;
  const [control, port] = event.ports;
  if (!control || !port || message?.type !== 'download' || typeof message.id !== 'string' || typeof message.name !== 'string') return;
  pending.set(message.id, { name: message.name, ...(message.size !== undefined ? { size: message.size } : {}), control, port });
  control.postMessage({ type: 'ready' });
});

scope.addEventListener('fetch', (event) => {
  const match = ID.exec(new URL(event.request.url).pathname);
  if (!match) return;
  const download = pending.get(match[1]!);
  if (!download) {
    event.respondWith(new Response('This download is over or was never started.', { status: 404, headers: { 'content-type': 'text/plain; charset=utf-8' } }));
    return;
  }
  pending.delete(match[1]!);
  // Kept alive until the last byte has gone to the browser's download, or the download failed.
  let finished!: () => void;
  const done = new Promise<void>((resolve) => (finished = resolve));
  const { port } = download;
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      return new Promise<void>((resolve) => {
        port.onmessage = (message: MessageEvent<ChunkMessage>) => {
          const data = message.data;
          // A copy made here, on purpose: a transferred buffer is not counted as this isolate's
          // allocation, so V8 never felt the pressure to collect the spent ones, and the renderer
          // grew with the file (629 MiB for 512 MiB); copied, it levels off (256 MiB for 1 GiB: docs/web.md).
          if (data.type === 'chunk') controller.enqueue(data.chunk.slice());
          else {
            // The end, or the page's decryption failed (tampering, a dropped connection): then the download fails too.
            if (data.type === 'end') controller.close();
            else controller.error(new Error('The download failed where it was decrypted.'));
            finished();
            port.close();
          }
          resolve();
        };
        port.postMessage({ type: 'pull' });
      });
    },
    cancel() {
      port.postMessage({ type: 'cancel' });
      finished();
    },
  });
  event.waitUntil(done);
  download.control.postMessage({ type: 'started' });
  download.control.close();
  event.respondWith(
    new Response(body, {
      headers: {
        'content-type': 'application/octet-stream',
        'content-disposition': contentDisposition(download.name),
        'x-content-type-options': 'nosniff',
        'content-security-policy': "default-src 'none'; sandbox",
        ...(download.size !== undefined ? { 'content-length': String(download.size) } : {}),
      },
    }),
  );
});

/** RFC 6266: an ASCII fallback and the exact UTF-8 name (already made safe by the page). */
function contentDisposition(name: string): string {
  const ascii = name.replace(/[^\x20-\x7e]|["\\%]/g, '_');
  const utf8 = encodeURIComponent(name).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `attachment; filename="${ascii}"; filename*=UTF-8''${utf8}`;
}

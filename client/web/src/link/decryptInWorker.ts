import { CofferError, receivedCode } from '../../../../shared/core/errors/index.js';
import type { LinkContent } from '../../../sdk/linkContent.js';
import type { DownloadSource } from '../download/saveToDisk.js';
import type { LinkDownloadReply, LinkDownloadRequest } from './linkDownloadWorker.js';

/**
 * A DownloadSource for saveToDisk that decrypts a link's document in a Web Worker of its own
 * (linkDownloadWorker.ts), started when the Service Worker is ready to pull and ended after the
 * last chunk. `onProgress` gets the plaintext bytes decrypted so far.
 */
export function decryptInWorker(content: LinkContent, onProgress: (bytes: number) => void): DownloadSource {
  return {
    serve(port: MessagePort): Promise<void> {
      const worker = new Worker(new URL('./linkDownloadWorker.ts', import.meta.url), { type: 'module', name: 'coffer-link-download' });
      const progress = new MessageChannel();
      progress.port1.onmessage = (event: MessageEvent<number>) => onProgress(event.data);
      return new Promise<void>((resolve, reject) => {
        const end = () => {
          worker.terminate();
          progress.port1.close();
        };
        worker.addEventListener('message', (event: MessageEvent<LinkDownloadReply>) => {
          end();
          const reply = event.data;
          if ('error' in reply) reject(new CofferError(receivedCode(reply.error.code), reply.error.message));
          else resolve();
        });
        worker.addEventListener('error', () => {
          end();
          reject(new CofferError('WORKER_FAILED', 'The browser could not start the worker that decrypts the file. Reload the page.'));
        });
        worker.postMessage({ content, port, progress: progress.port2 } satisfies LinkDownloadRequest, [port, progress.port2]);
        // The worker has its copy of the key now; the page's is not needed again.
        content.key.fill(0);
      });
    },
    abandon(): void {
      content.key.fill(0);
    },
  };
}

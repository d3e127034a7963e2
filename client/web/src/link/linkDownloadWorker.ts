import { CofferError } from '../../../../shared/core/errors/index.js';
import { type LinkContent, linkContentStream } from '../../../sdk/linkContent.js';
import { servePulls } from '../download/servePulls.js';
import { progressEvery } from '../progressEvery.js';

/** The page's one request: read `content` and answer the download Service Worker's pulls on `port`, progress on `progress`. */
export interface LinkDownloadRequest {
  content: LinkContent;
  port: MessagePort;
  progress: MessagePort;
}

export type LinkDownloadReply = { done: true } | { error: { code: string; message: string } };

/**
 * A link page download's decryption, in a module Web Worker started for it (docs/web.md,
 * "Downloads"): the SDK's linkContentStream (presigned GET → digest check → envelope) here, its
 * chunks handed straight to the download Service Worker (servePulls), so no byte of the file
 * passes through the page, as for a member's download in the account worker. Measured: the link
 * page's renderer growth for 1 GiB fell from about +290–320 MiB, decrypting in the page, to the
 * member download's figure (docs/benchmarks.md, "The web app").
 */
self.addEventListener('message', (event: MessageEvent<LinkDownloadRequest>) => {
  const { content, port, progress } = event.data;
  const onProgress = progressEvery(({ bytes }) => progress.postMessage(bytes));
  linkContentStream(content, (input, init) => fetch(input, init), { onProgress })
    .then((stream) => servePulls(port, stream))
    .then(
      () => self.postMessage({ done: true } satisfies LinkDownloadReply),
      (error: unknown) =>
        // Anything but a CofferError (a dropped connection) is an interruption, as saveToDisk says it.
        self.postMessage({
          error: error instanceof CofferError ? { code: error.code, message: error.message } : { code: 'DOWNLOAD_INTERRUPTED', message: 'The download was interrupted before the end.' },
        } satisfies LinkDownloadReply),
    )
    .finally(() => {
      content.key.fill(0);
      progress.close();
    });
});

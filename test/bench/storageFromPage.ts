/**
 * What Chromium's own network path to the local stack's storage takes, with no Coffer code and no
 * crypto: from the signed-in page, `size` bytes PUT as parts of `partSize` (one reused buffer, two
 * PUTs in flight, as the SDK's two part buffers allow) to presigned part URLs of a multipart upload,
 * completed; then that object fetched by a presigned GET, read and dropped. Chromium's memory is
 * sampled during each. The ceiling the page's transfers are held against beside the CLI's
 * (largeFileBench.ts measures the same from Node).
 */
import type { ObjectStore } from '../../shared/server/ports/ObjectStore.js';
import type { CdpPage } from './CdpChromium.js';
import { ChromiumMemory, type ChromiumMemoryResult } from './chromiumMemory.js';
import { settle } from './cryptoBench.js';

export interface StorageFromPage {
  putSeconds: number;
  getSeconds: number;
  put: ChromiumMemoryResult;
  get: ChromiumMemoryResult;
}

const PUT = `async (urls, partSize, size) => {
  const buffer = new Uint8Array(partSize);
  const etags = [];
  let next = 0;
  const started = performance.now();
  const sender = async () => {
    while (next < urls.length) {
      const i = next++;
      const body = buffer.subarray(0, Math.min(partSize, size - i * partSize));
      const response = await fetch(urls[i], { method: 'PUT', body });
      if (!response.ok) throw new Error('PUT ' + response.status);
      etags[i] = response.headers.get('etag');
      await response.arrayBuffer();
    }
  };
  await Promise.all([sender(), sender()]);
  return { seconds: (performance.now() - started) / 1000, etags };
}`;

const GET = `async (url) => {
  const started = performance.now();
  const reader = (await fetch(url)).body.getReader();
  let bytes = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    bytes += value.byteLength;
  }
  return { seconds: (performance.now() - started) / 1000, bytes };
}`;

export async function storageFromPage(page: CdpPage, objects: ObjectStore, size: number, partSize: number): Promise<StorageFromPage> {
  const key = `bench/storage-from-page-${Date.now()}`;
  const uploadId = await objects.createMultipartUpload(key);
  let completed = false;
  try {
    const count = Math.ceil(size / partSize);
    const urls = await Promise.all(Array.from({ length: count }, (_, i) => objects.presignUploadPart(key, uploadId, i + 1, 3600)));
    settle();
    let memory = new ChromiumMemory();
    memory.start();
    const put = await page.evaluate<{ seconds: number; etags: string[] }>(`(${PUT})(${JSON.stringify(urls)}, ${partSize}, ${size})`);
    const putMemory = memory.stop();
    await objects.completeMultipartUpload(key, uploadId, put.etags.map((etag, i) => ({ partNumber: i + 1, etag })));
    completed = true;
    const url = await objects.presignGet(key, 3600);
    settle();
    memory = new ChromiumMemory();
    memory.start();
    const get = await page.evaluate<{ seconds: number; bytes: number }>(`(${GET})(${JSON.stringify(url)})`);
    const getMemory = memory.stop();
    if (get.bytes !== size) throw new Error(`The page's GET read ${get.bytes} bytes of ${size}`);
    return { putSeconds: put.seconds, getSeconds: get.seconds, put: putMemory, get: getMemory };
  } finally {
    if (completed) await objects.deleteObjects([key]);
    else await objects.abortMultipartUpload(key, uploadId).catch(() => undefined);
  }
}

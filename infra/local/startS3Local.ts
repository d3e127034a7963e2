import { mkdtemp, mkdir, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import S3rver from 's3rver';
import { s3rverListParts } from './s3rverListParts.js';

export interface S3Local {
  endpoint: string;
  stop(): Promise<void>;
}

function corsXml(origins: readonly string[]): string {
  const rules = origins
    .map(
      (o) => `<CORSRule><AllowedOrigin>${o}</AllowedOrigin><AllowedMethod>GET</AllowedMethod><AllowedMethod>PUT</AllowedMethod>` +
        `<AllowedMethod>HEAD</AllowedMethod><AllowedHeader>*</AllowedHeader><ExposeHeader>ETag</ExposeHeader><MaxAgeSeconds>3000</MaxAgeSeconds></CORSRule>`,
    )
    .join('');
  return `<CORSConfiguration>${rules}</CORSConfiguration>`;
}

/**
 * s3rver in-process on loopback, with the bucket and its CORS rules (the
 * configured origins only, exposing ETag for multipart) created on start, and
 * ListParts added (s3rverListParts.ts).
 * Without a directory, objects go to a temporary one removed on stop.
 */
export async function startS3Local(bucket: string, corsOrigins: readonly string[], directory?: string): Promise<S3Local> {
  const dir = directory ?? (await mkdtemp(join(tmpdir(), 'coffer-s3-')));
  await mkdir(dir, { recursive: true });
  const server = new S3rver({
    address: '127.0.0.1',
    port: 0,
    silent: true,
    directory: dir,
    configureBuckets: [{ name: bucket, configs: [corsXml(corsOrigins)] }],
  });
  // Just before s3rver's router, after its XML body encoder: ListParts, which s3rver lacks.
  const koa = server as unknown as { middleware: unknown[] };
  koa.middleware.splice(koa.middleware.length - 1, 0, s3rverListParts());
  const address = (await server.run()) as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${address.port}`,
    stop: async () => {
      await server.close();
      if (!directory) await rm(dir, { recursive: true, force: true });
    },
  };
}

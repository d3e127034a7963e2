import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * ListParts for s3rver 3.7.1, which answers 405 MethodNotAllowed to it (`GET /<bucket>/<key>?uploadId=`).
 * The same S3 adapter serves AWS and the local stack, so the local server gains the one S3 call
 * the resume endpoint needs (docs/versions.md) instead of the adapter growing a local branch:
 * the parts s3rver stored for the upload (`<bucket>/.../uploads/<uploadId>/<n>` and `<n>.md5`),
 * paginated with `max-parts` and `part-number-marker` as S3 does. Local only: loopback, no signature check.
 */

/** The slice of a Koa context this middleware reads and writes. */
interface Context {
  method: string;
  path: string;
  query: Record<string, string | string[] | undefined>;
  status: number;
  body: unknown;
  store: { getResourcePath(bucket: string, key: string | undefined, resource: string): string };
}

type Middleware = (ctx: Context, next: () => Promise<void>) => Promise<void>;

/** s3rver's upload ids: 16 random bytes in hex. Anything else names no upload (and no path). */
const UPLOAD_ID = /^[0-9a-f]{32}$/;
const MAX_PARTS = 1000;

export function s3rverListParts(): Middleware {
  return async (ctx, next) => {
    const uploadId = ctx.query.uploadId;
    const match = /^\/([^/]+)\/(.+)$/.exec(ctx.path);
    if (ctx.method !== 'GET' || typeof uploadId !== 'string' || !match || 'partNumber' in ctx.query) return next();
    const bucket = decodeURIComponent(match[1]!);
    const key = decodeURIComponent(match[2]!);
    const dir = UPLOAD_ID.test(uploadId) ? join(ctx.store.getResourcePath(bucket, undefined, 'uploads'), uploadId) : undefined;
    const storedKey = dir ? await readFile(join(dir, 'key'), 'utf8').catch(() => undefined) : undefined;
    if (!dir || storedKey !== key) {
      ctx.status = 404;
      ctx.body = { Error: { Code: 'NoSuchUpload', Message: 'The specified upload does not exist.', UploadId: uploadId } };
      return;
    }
    const maxParts = Math.min(MAX_PARTS, Math.max(1, Number(ctx.query['max-parts'] ?? MAX_PARTS) || MAX_PARTS));
    const marker = Number(ctx.query['part-number-marker'] ?? 0) || 0;
    const files = new Set(await readdir(dir));
    // A part is stored once s3rver wrote its checksum: a PUT cut off mid-part leaves the data file alone.
    const numbers = [...files]
      .filter((f) => /^[0-9]+$/.test(f) && files.has(`${f}.md5`))
      .map(Number)
      .filter((n) => n > marker)
      .sort((a, b) => a - b);
    const page = numbers.slice(0, maxParts);
    const parts = await Promise.all(
      page.map(async (n) => {
        const [info, md5] = await Promise.all([stat(join(dir, String(n))), readFile(join(dir, `${n}.md5`), 'utf8')]);
        return { PartNumber: n, LastModified: info.mtime.toISOString(), ETag: `"${md5.trim()}"`, Size: info.size };
      }),
    );
    const truncated = numbers.length > page.length;
    ctx.status = 200;
    ctx.body = {
      ListPartsResult: {
        '@': { xmlns: 'http://s3.amazonaws.com/doc/2006-03-01/' },
        Bucket: bucket,
        Key: key,
        UploadId: uploadId,
        PartNumberMarker: marker,
        ...(page.length ? { NextPartNumberMarker: page.at(-1) } : {}),
        MaxParts: maxParts,
        IsTruncated: truncated,
        ...(parts.length ? { Part: parts } : {}),
      },
    };
  };
}

import { readFile } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { webAppHeaders, type WebAppPolicyOptions } from '../../shared/server/web/webAppHeaders.js';

/** A file of the web app, ready to send. */
export interface WebAppFile {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

/** Answers a GET for the web app, or undefined when the path is not the app's (the API's turn). */
export type WebAppResponder = (pathname: string) => Promise<WebAppFile | undefined>;

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.wasm': 'application/wasm',
  '.json': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
};

/** The app's pages: the root, and the link page at `/l/<token>` (its secret is in the fragment, never here). */
const PAGE = /^\/(?:l\/[A-Za-z0-9_-]{1,200})?$/;
/** Hashed build output (`/assets/x-1a2b.js`): cached for good, since a new build has new names. */
const ASSET = /^\/assets\/[A-Za-z0-9_-][A-Za-z0-9._-]*$/;
/** Files at the root with an extension (the Service Worker, the icon). No API path has a dot. */
const ROOT_FILE = /^\/[A-Za-z0-9_-][A-Za-z0-9._-]*\.[a-z0-9]+$/;

/**
 * Serves the built web app (`vite build`, docs/web.md) from `root` on the API's origin, with the
 * strict policy of shared/server/web/webAppHeaders.ts on every file. Names are matched against
 * the patterns above before touching the disk, so no path can leave `root`.
 */
export function webAppResponder(root: string, policy: WebAppPolicyOptions = {}): WebAppResponder {
  const headers = webAppHeaders(policy);
  return async (pathname) => {
    let file: string;
    let cache: string;
    if (PAGE.test(pathname)) [file, cache] = ['index.html', 'no-store'];
    else if (ASSET.test(pathname)) [file, cache] = [pathname.slice(1), 'public, max-age=31536000, immutable'];
    else if (ROOT_FILE.test(pathname) && pathname !== '/index.html') [file, cache] = [pathname.slice(1), 'no-cache'];
    else return undefined;
    const body = await readFile(join(root, file)).catch(() => undefined);
    if (!body) return undefined;
    const type = CONTENT_TYPES[extname(file)] ?? 'application/octet-stream';
    return { status: 200, headers: { ...headers, 'content-type': type, 'cache-control': cache }, body };
  };
}

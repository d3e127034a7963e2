import { readFile } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { webAppHeaders, type WebAppPolicyOptions } from '../../shared/server/web/webAppHeaders.js';
import { WEB_APP_CACHE_CONTROL, WEB_APP_PAGE_FILE, WEB_APP_PATHS } from '../../shared/server/web/webAppPaths.js';

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

const { page: PAGE, asset: ASSET, rootFile: ROOT_FILE } = WEB_APP_PATHS;

/**
 * Serves the built web app (`vite build`, docs/web.md) from `root` on the API's origin, with the
 * strict policy of shared/server/web/webAppHeaders.ts on every file. Names are matched against
 * the patterns of shared/server/web/webAppPaths.ts before touching the disk, so no path can leave `root`.
 */
export function webAppResponder(root: string, policy: WebAppPolicyOptions = {}): WebAppResponder {
  const headers = webAppHeaders(policy);
  return async (pathname) => {
    let file: string;
    let cache: string;
    if (PAGE.test(pathname)) [file, cache] = [WEB_APP_PAGE_FILE, WEB_APP_CACHE_CONTROL.page];
    else if (ASSET.test(pathname)) [file, cache] = [pathname.slice(1), WEB_APP_CACHE_CONTROL.asset];
    else if (ROOT_FILE.test(pathname) && pathname !== `/${WEB_APP_PAGE_FILE}`) [file, cache] = [pathname.slice(1), WEB_APP_CACHE_CONTROL.rootFile];
    else return undefined;
    const body = await readFile(join(root, file)).catch(() => undefined);
    if (!body) return undefined;
    const type = CONTENT_TYPES[extname(file)] ?? 'application/octet-stream';
    return { status: 200, headers: { ...headers, 'content-type': type, 'cache-control': cache }, body };
  };
}

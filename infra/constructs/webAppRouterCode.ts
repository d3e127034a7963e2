import { WEB_APP_PAGE_FILE, WEB_APP_PATHS } from '../../shared/server/web/webAppPaths.js';

/**
 * The CloudFront Function (cloudfront-js-2.0, viewer request) in front of the app's bucket: the
 * routing of the local server (infra/local/webAppFiles.ts), from the same patterns. A page (`/`,
 * `/l/<token>`) is answered with index.html; an asset or a root file passes through; anything else
 * is a 404 here, so the bucket is never asked for a name outside the app. A custom error response
 * would do the page part too, but it is distribution-wide and would rewrite the API's own 403s
 * and 404s.
 */
export function webAppRouterCode(): string {
  const { page, asset, rootFile } = WEB_APP_PATHS;
  return [
    `var PAGE = /${page.source}/;`,
    `var ASSET = /${asset.source}/;`,
    `var ROOT_FILE = /${rootFile.source}/;`,
    'function handler(event) {',
    '  var request = event.request;',
    '  var uri = request.uri;',
    `  if (PAGE.test(uri)) { request.uri = '/${WEB_APP_PAGE_FILE}'; return request; }`,
    `  if (ASSET.test(uri) || (ROOT_FILE.test(uri) && uri !== '/${WEB_APP_PAGE_FILE}')) return request;`,
    "  return { statusCode: 404, statusDescription: 'Not Found' };",
    '}',
  ].join('\n');
}

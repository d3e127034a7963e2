import { SECURITY_HEADERS } from '../http/jsonResponse.js';

/**
 * The web app's response headers, in one place: the local server sends them on every file of
 * the app, and the CDK's CloudFront response-headers policy is to be built from the same
 * function (docs/web.md, "Content-Security-Policy").
 */
export interface WebAppPolicyOptions {
  /**
   * Origins the app fetches from besides its own: object storage, whose presigned GET and PUT
   * URLs are on another host (s3rver's port locally, the bucket's S3 endpoint on AWS).
   */
  connectOrigins?: readonly string[];
}

/**
 * A strict policy: every script and style from the app's own origin, no inline code, no eval.
 * 'wasm-unsafe-eval' is there for Argon2id only (hash-wasm compiles WebAssembly; it allows no
 * JavaScript eval). blob: images show a view-only link's picture, decrypted in the page; the
 * same-origin frame is the hidden one a streamed download is navigated in (the Service Worker
 * answers it).
 */
export function webAppContentSecurityPolicy(options: WebAppPolicyOptions = {}): string {
  const connect = ["'self'", ...(options.connectOrigins ?? [])].join(' ');
  return [
    "default-src 'none'",
    "script-src 'self' 'wasm-unsafe-eval'",
    "style-src 'self'",
    "img-src 'self' blob:",
    `connect-src ${connect}`,
    "worker-src 'self'",
    "frame-src 'self'",
    "manifest-src 'self'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/**
 * The API's security headers (never sniffed, never framed, no referrer, HSTS) with the app's
 * policy in place of the API's `default-src 'none'`, and the window isolated from any opener.
 * Content type and caching are per file, so they are left to the caller.
 */
export function webAppHeaders(options: WebAppPolicyOptions = {}): Record<string, string> {
  const { 'content-type': _json, 'cache-control': _noStore, ...shared } = SECURITY_HEADERS;
  return {
    ...shared,
    'content-security-policy': webAppContentSecurityPolicy(options),
    'cross-origin-opener-policy': 'same-origin',
    'permissions-policy': 'camera=(), microphone=(), geolocation=(), payment=()',
  };
}

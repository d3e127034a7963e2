/**
 * Which request paths are the web app's, and how long each kind of file may be cached: one table
 * for the local server (infra/local/webAppFiles.ts) and for CloudFront (infra/constructs/
 * webAppRouterCode.ts, and the uploads' Cache-Control in infra/stacks/WebStack.ts). No API path
 * has a dot or starts with `/l/` or `/assets/`, so the two never overlap.
 */
export const WEB_APP_PATHS = {
  /** The app's pages: the root, and the link page at `/l/<token>` (its secret is in the fragment, never here). Both are index.html. */
  page: /^\/(?:l\/[A-Za-z0-9_-]{1,200})?$/,
  /** Hashed build output (`/assets/x-1a2b.js`). */
  asset: /^\/assets\/[A-Za-z0-9_-][A-Za-z0-9._-]*$/,
  /** Files at the root with an extension (the Service Worker, the icon); never `/index.html` itself. */
  rootFile: /^\/[A-Za-z0-9_-][A-Za-z0-9._-]*\.[a-z0-9]+$/,
} as const;

/** The page's file: what `/` and `/l/<token>` answer with. */
export const WEB_APP_PAGE_FILE = 'index.html';

/** Cache-Control per kind of file. */
export const WEB_APP_CACHE_CONTROL = {
  /** The page names the current hashed assets: always fetched afresh. */
  page: 'no-store',
  /** A new build has new names, so an asset never changes: cached for good. */
  asset: 'public, max-age=31536000, immutable',
  /** Fixed names (the Service Worker's URL is its identity): revalidated on every use. */
  rootFile: 'no-cache',
} as const;

import { Forbidden } from '../../core/errors/index.js';

/** The header the web app sends on every request that sets or uses the refresh cookie. */
export const CSRF_HEADER = 'x-coffer-csrf';

/**
 * The CSRF defence of the cookie session (docs/web.md, "Sessions"), in front of every request
 * that sets or spends the refresh cookie. Security check, do not remove.
 *
 * 1. A custom header (`X-Coffer-CSRF: 1`): a form, an image or a navigation cannot add one, and
 *    a cross-origin `fetch` that adds one needs a CORS preflight, which the API refuses (its CORS
 *    never allows this header nor credentials). So only same-origin script can send it.
 * 2. The browser's own word on where the request comes from: `Sec-Fetch-Site` must be
 *    `same-origin` when sent, and `Origin`, when sent, must be this host. This refuses a
 *    sibling subdomain (same-site, so SameSite=Strict lets its cookies through) even if it could
 *    pass the first check.
 * SameSite=Strict on the cookie is the third layer: no other site's request carries it at all.
 */
export function requireSameSiteRequest(header: (name: string) => string | undefined): void {
  if (header(CSRF_HEADER) !== '1') {
    throw new Forbidden('CSRF_HEADER_MISSING', 'This request must come from the Coffer web app (the X-Coffer-CSRF header is missing).');
  }
  const site = header('sec-fetch-site');
  if (site !== undefined && site !== 'same-origin') throw crossSite();
  const origin = header('origin');
  if (origin !== undefined && !sameHost(origin, header('x-forwarded-host') ?? header('host'))) throw crossSite();
}

function sameHost(origin: string, host: string | undefined): boolean {
  if (host === undefined) return false;
  try {
    return new URL(origin).host === host.toLowerCase();
  } catch {
    return false;
  }
}

const crossSite = () => new Forbidden('CROSS_SITE_REQUEST', 'This request came from another site: the session cookie is used only by the Coffer web app itself.');

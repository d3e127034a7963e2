/**
 * The web app's refresh token as a cookie (docs/web.md, "Sessions"). HttpOnly: no script, not
 * even the app's own, can read it. Secure: never sent over plain HTTP (browsers treat
 * 127.0.0.1 and localhost as secure, so the local stack works). SameSite=Strict: no other site's
 * page can make the browser send it. Path=/auth/session: it rides only on the two requests that
 * need it (refresh and logout), never on the API's other calls, so no other handler, log line or
 * audit event ever sees it. The `__Secure-` prefix makes browsers refuse the name unless Secure.
 */
export const REFRESH_COOKIE = '__Secure-coffer-refresh';
export const REFRESH_COOKIE_PATH = '/auth/session';

const ATTRIBUTES = `Path=${REFRESH_COOKIE_PATH}; HttpOnly; Secure; SameSite=Strict`;

/**
 * The Set-Cookie value carrying `token`. `kept` (the person chose "remember this device"): until
 * `expiresAtMs`, the family's absolute expiry. Otherwise no Max-Age: a browser-session cookie,
 * gone when the browser closes, so an unremembered sign-in leaves no live token on the disk
 * beyond it (the server still ends the family at its expiry either way).
 */
export function refreshCookie(token: string, expiresAtMs: number, nowMs: number, kept: boolean): string {
  if (!kept) return `${REFRESH_COOKIE}=${token}; ${ATTRIBUTES}`;
  const maxAge = Math.max(0, Math.floor((expiresAtMs - nowMs) / 1000));
  return `${REFRESH_COOKIE}=${token}; Max-Age=${maxAge}; ${ATTRIBUTES}`;
}

/** The Set-Cookie value that makes the browser forget the cookie. */
export function clearedRefreshCookie(): string {
  return `${REFRESH_COOKIE}=; Max-Age=0; ${ATTRIBUTES}`;
}

/** The refresh token among the request's cookies (`name=value` entries, as API Gateway delivers them). */
export function readRefreshCookie(cookies: readonly string[]): string | undefined {
  for (const entry of cookies) {
    const eq = entry.indexOf('=');
    if (eq > 0 && entry.slice(0, eq).trim() === REFRESH_COOKIE) return entry.slice(eq + 1).trim() || undefined;
  }
  return undefined;
}

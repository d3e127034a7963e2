import { readRefreshCookie } from '../../shared/server/auth/refreshCookie.js';
import { requireSameSiteRequest } from '../../shared/server/auth/requireSameSiteRequest.js';
import { sessionRefreshBody } from '../../shared/core/api/schemas/auth.js';
import { Unauthorized } from '../../shared/core/errors/index.js';
import { operation } from '../../shared/server/http/Operation.js';
import { cookieSession } from '../../shared/server/services/auth/cookieSession.js';
import { refreshSession } from '../../shared/server/services/auth/refreshSession.js';

/** The web app's refresh: the token from the HttpOnly cookie, rotated as in the bearer flow (reuse revokes the family);
 * `remember` keeps the cookie beyond the browser session, as the sign-in chose. */
export const sessionRefresh = operation({
  body: sessionRefreshBody,
  async run({ body, deps, http }) {
    requireSameSiteRequest(http.header);
    const token = readRefreshCookie(http.cookies);
    if (!token) throw new Unauthorized('REFRESH_COOKIE_MISSING', 'No session cookie: sign in again.');
    return cookieSession(await refreshSession(deps, token), deps.clock(), body.remember === true);
  },
});

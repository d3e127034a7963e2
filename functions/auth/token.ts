import { operation } from '../../shared/server/http/Operation.js';
import { tokenBody } from '../../shared/core/api/schemas/auth.js';
import { requireSameSiteRequest } from '../../shared/server/auth/requireSameSiteRequest.js';
import { cookieSession } from '../../shared/server/services/auth/cookieSession.js';
import { logIn } from '../../shared/server/services/auth/logIn.js';

/**
 * Login with the passphrase-derived auth key (never the passphrase). With `session: 'cookie'`
 * (the web app) the refresh token is set as an HttpOnly cookie, never put in the body.
 */
export const token = operation({
  body: tokenBody,
  async run({ body, deps, http }) {
    if (body.session === 'cookie') requireSameSiteRequest(http.header);
    const session = await logIn(deps, body.userId, body.authKey);
    return body.session === 'cookie' ? cookieSession(session, deps.clock(), body.remember === true) : { body: session };
  },
});

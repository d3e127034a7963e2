import { auditNote } from '../../shared/server/audit/requestAudit.js';
import { clearedRefreshCookie, readRefreshCookie } from '../../shared/server/auth/refreshCookie.js';
import { hashRefreshToken } from '../../shared/server/auth/refreshTokens.js';
import { requireSameSiteRequest } from '../../shared/server/auth/requireSameSiteRequest.js';
import { getRefreshToken, revokeRefreshFamily } from '../../shared/server/data/refreshTokens.js';
import { CofferError } from '../../shared/core/errors/index.js';
import { operation } from '../../shared/server/http/Operation.js';

/**
 * The web app's sign-out: revoke the cookie's refresh-token family and tell the browser to drop
 * the cookie. A missing or dead cookie still clears it: signing out of a session that is already
 * over is not an error.
 */
export const sessionLogout = operation({
  async run({ deps, http }) {
    requireSameSiteRequest(http.header);
    const token = readRefreshCookie(http.cookies);
    const item = token ? await (async () => getRefreshToken(deps.db, hashRefreshToken(token), deps.clock()))().catch(ifInvalid) : undefined;
    if (item) {
      auditNote({ actor: { kind: 'user', id: item.userId }, resource: { kind: 'user', id: item.userId } });
      await revokeRefreshFamily(deps.db, item.familyId, new Date(deps.clock()).toISOString());
    }
    return { status: 204, cookies: [clearedRefreshCookie()] };
  },
});

/** A malformed, unknown or expired token has nothing left to revoke; any other failure is a real one. */
function ifInvalid(error: unknown): undefined {
  if (error instanceof CofferError && error.code === 'INVALID_REFRESH_TOKEN') return undefined;
  throw error;
}

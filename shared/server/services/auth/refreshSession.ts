import { auditNote } from '../../audit/requestAudit.js';
import { hashRefreshToken } from '../../auth/refreshTokens.js';
import type { Deps } from '../../config/Deps.js';
import { getRefreshToken, RefreshTokenReused, revokeRefreshFamily } from '../../data/refreshTokens.js';
import { type IssuedSession, rotateSession } from './sessions.js';

/**
 * Rotate a refresh token, from the body (bearer flow) or the cookie (web app): the same guard
 * for both. A token presented twice revokes its whole family (reuse detection).
 */
export async function refreshSession(deps: Deps, refreshToken: string): Promise<IssuedSession> {
  const old = await getRefreshToken(deps.db, hashRefreshToken(refreshToken), deps.clock());
  auditNote({ actor: { kind: 'user', id: old.userId }, resource: { kind: 'user', id: old.userId } });
  try {
    return await rotateSession(deps, old);
  } catch (error) {
    if (error instanceof RefreshTokenReused) {
      auditNote({ failure: { status: 401, errorCode: error.code } });
      await revokeRefreshFamily(deps.db, error.familyId, new Date(deps.clock()).toISOString());
    }
    throw error;
  }
}

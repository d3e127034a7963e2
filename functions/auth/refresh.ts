import { auditNote } from '../../shared/server/audit/requestAudit.js';
import { hashRefreshToken } from '../../shared/server/auth/refreshTokens.js';
import { getRefreshToken, RefreshTokenReused, revokeRefreshFamily } from '../../shared/server/data/refreshTokens.js';
import { operation } from '../../shared/server/http/Operation.js';
import { refreshBody } from '../../shared/core/api/schemas/auth.js';
import { rotateSession } from '../../shared/server/services/auth/sessions.js';

/** Rotate a refresh token. A token presented twice revokes its whole family. */
export const refresh = operation({
  body: refreshBody,
  async run({ body, deps }) {
    const old = await getRefreshToken(deps.db, hashRefreshToken(body.refreshToken), deps.clock());
    auditNote({ actor: { kind: 'user', id: old.userId }, resource: { kind: 'user', id: old.userId } });
    try {
      return { body: await rotateSession(deps, old) };
    } catch (error) {
      if (error instanceof RefreshTokenReused) {
        auditNote({ failure: { status: 401, errorCode: error.code } });
        await revokeRefreshFamily(deps.db, error.familyId, new Date(deps.clock()).toISOString());
      }
      throw error;
    }
  },
});

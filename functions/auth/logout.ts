import { auditNote } from '../../shared/server/audit/requestAudit.js';
import { hashRefreshToken } from '../../shared/server/auth/refreshTokens.js';
import { getRefreshToken, revokeRefreshFamily } from '../../shared/server/data/refreshTokens.js';
import { Unauthorized } from '../../shared/core/errors/index.js';
import { operation } from '../../shared/server/http/Operation.js';
import { refreshBody } from '../../shared/core/api/schemas/auth.js';

/** Revoke the caller's refresh-token family; only the caller's own session. */
export const logout = operation({
  body: refreshBody,
  async run({ body, caller, deps }) {
    auditNote({ resource: { kind: 'user', id: caller.userId } });
    const token = await getRefreshToken(deps.db, hashRefreshToken(body.refreshToken), deps.clock());
    if (token.userId !== caller.userId) {
      throw new Unauthorized('INVALID_REFRESH_TOKEN', 'The refresh token is not valid: log in again.');
    }
    await revokeRefreshFamily(deps.db, token.familyId, new Date(deps.clock()).toISOString());
    return { status: 204 };
  },
});

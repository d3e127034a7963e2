import { auditNote } from '../../shared/audit/requestAudit.js';
import { hashRefreshToken } from '../../shared/auth/refreshTokens.js';
import { getRefreshToken, revokeRefreshFamily } from '../../shared/data/refreshTokens.js';
import { Unauthorized } from '../../shared/errors/index.js';
import { operation } from '../../shared/http/Operation.js';
import { refreshBody } from '../../shared/schemas/auth.js';

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

import { hashRefreshToken } from '../../shared/auth/refreshTokens.js';
import { getRefreshToken, RefreshTokenReused, revokeRefreshFamily } from '../../shared/data/refreshTokens.js';
import { operation } from '../../shared/http/Operation.js';
import { refreshBody } from '../../shared/schemas/auth.js';
import { rotateSession } from '../../shared/services/sessions.js';

/** Rotate a refresh token. A token presented twice revokes its whole family. */
export const refresh = operation({
  body: refreshBody,
  async run({ body, deps }) {
    const old = await getRefreshToken(deps.db, hashRefreshToken(body.refreshToken), deps.clock());
    try {
      return { body: await rotateSession(deps, old) };
    } catch (error) {
      if (error instanceof RefreshTokenReused) {
        await revokeRefreshFamily(deps.db, error.familyId, new Date(deps.clock()).toISOString());
      }
      throw error;
    }
  },
});

import { operation } from '../../shared/server/http/Operation.js';
import { refreshBody } from '../../shared/core/api/schemas/auth.js';
import { refreshSession } from '../../shared/server/services/auth/refreshSession.js';

/** Rotate a refresh token (bearer flow: the token in the body). A token presented twice revokes its whole family. */
export const refresh = operation({
  body: refreshBody,
  async run({ body, deps }) {
    return { body: await refreshSession(deps, body.refreshToken) };
  },
});

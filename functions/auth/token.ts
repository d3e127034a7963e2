import { operation } from '../../shared/server/http/Operation.js';
import { tokenBody } from '../../shared/core/api/schemas/auth.js';
import { logIn } from '../../shared/server/services/auth/logIn.js';

/** Login with the passphrase-derived auth key (never the passphrase). */
export const token = operation({
  body: tokenBody,
  async run({ body, deps }) {
    return { body: await logIn(deps, body.userId, body.authKey) };
  },
});

import { fakeKdfSalt } from '../../shared/server/auth/loginVerifier.js';
import { DEFAULT_KDF } from '../../shared/core/crypto/kdfParams.js';
import { getCredentials } from '../../shared/server/data/users.js';
import { operation } from '../../shared/server/http/Operation.js';
import { preloginBody } from '../../shared/core/api/schemas/auth.js';

/** KDF parameters; unknown users get stable fake ones so prelogin cannot enumerate users. */
export const prelogin = operation({
  body: preloginBody,
  async run({ body, deps }) {
    const credentials = await getCredentials(deps.db, body.userId);
    if (credentials) return { body: { kdf: credentials.kdf } };
    const salt = Buffer.from(await fakeKdfSalt(deps.keys, body.userId)).toString('base64url');
    const { memoryKiB, iterations, parallelism } = DEFAULT_KDF;
    return { body: { kdf: { algorithm: 'argon2id', memoryKiB, iterations, parallelism, salt } } };
  },
});

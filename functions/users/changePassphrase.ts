import { computeLoginVerifier, verifyLogin } from '../../shared/server/auth/loginVerifier.js';
import { isKdfStrongEnough } from '../../shared/core/crypto/kdfParams.js';
import { changeCredentials, getCredentials } from '../../shared/server/data/users.js';
import { Unauthorized, ValidationFailed } from '../../shared/core/errors/index.js';
import { operation } from '../../shared/server/http/Operation.js';
import { changePassphraseBody } from '../../shared/core/api/schemas/users.js';

const invalid = () => new Unauthorized('INVALID_CREDENTIALS', 'Unknown user or wrong passphrase.');
const bytes = (b64: string) => new Uint8Array(Buffer.from(b64, 'base64url'));

/**
 * The caller's passphrase change (always the caller's own account: the path names no one).
 * The server sees auth keys and a sealed blob, never a passphrase or the private key. The
 * current auth key is checked exactly as a login checks it; then the new verifier and KMS blob
 * replace the old in one write guarded on the verifier checked, which also ends every session
 * of the user (the session epoch moves on; docs: README "Security model"). Guests may change
 * theirs too. The key pair is unchanged.
 */
export const changePassphrase = operation({
  body: changePassphraseBody,
  async run({ body, caller, deps }) {
    // Input checks before any KMS call.
    if (!deps.settings.allowWeakKdf && !isKdfStrongEnough(body.kdf)) {
      throw new ValidationFailed('The Argon2id parameters are below the minimum: use at least m=19 MiB, t=2.');
    }
    const currentAuthKey = bytes(body.currentAuthKey);
    const credentials = await getCredentials(deps.db, caller.userId);
    if (!credentials) {
      // Same KMS work as a real check (as at login): the refusal takes the same time.
      await computeLoginVerifier(deps.keys, caller.userId, currentAuthKey);
      throw invalid();
    }
    // Security check, do not remove: proof that the caller knows the current passphrase.
    await verifyLogin(deps.keys, caller.userId, currentAuthKey, bytes(credentials.verifier));
    const [verifier, privateKeyBlob] = await Promise.all([
      computeLoginVerifier(deps.keys, caller.userId, bytes(body.authKey)),
      deps.keys.encrypt(bytes(body.encryptedPrivateKey), { userId: caller.userId }),
    ]);
    await changeCredentials(
      deps.db,
      credentials,
      { kdf: body.kdf, verifier: Buffer.from(verifier).toString('base64url'), privateKeyBlob: Buffer.from(privateKeyBlob).toString('base64url') },
      new Date(deps.clock()).toISOString(),
    );
    return { status: 204 };
  },
});

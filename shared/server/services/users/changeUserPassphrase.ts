import { computeLoginVerifier, verifyLogin } from '../../auth/loginVerifier.js';
import type { Deps } from '../../config/Deps.js';
import { changeCredentials, getCredentials } from '../../data/users.js';
import { isKdfStrongEnough } from '../../../core/crypto/kdfParams.js';
import { Unauthorized, ValidationFailed } from '../../../core/errors/index.js';
import type { ChangePassphraseBody } from '../../../core/api/schemas/users.js';

const invalid = () => new Unauthorized('INVALID_CREDENTIALS', 'Unknown user or wrong passphrase.');
const bytes = (b64: string) => new Uint8Array(Buffer.from(b64, 'base64url'));

/**
 * A user's passphrase change. The current auth key is checked exactly as a login checks it; then
 * the new verifier and KMS blob replace the old in one write guarded on the verifier checked,
 * which also ends every session of the user (the session epoch moves on). The key pair is unchanged.
 */
export async function changeUserPassphrase(deps: Deps, userId: string, body: ChangePassphraseBody): Promise<void> {
  // Input checks before any KMS call.
  if (!deps.settings.allowWeakKdf && !isKdfStrongEnough(body.kdf)) {
    throw new ValidationFailed('The Argon2id parameters are below the minimum: use at least m=19 MiB, t=2.');
  }
  const currentAuthKey = bytes(body.currentAuthKey);
  const credentials = await getCredentials(deps.db, userId);
  if (!credentials) {
    // Same KMS work as a real check (as at login): the refusal takes the same time.
    await computeLoginVerifier(deps.keys, userId, currentAuthKey);
    throw invalid();
  }
  // Security check, do not remove: proof that the caller knows the current passphrase.
  await verifyLogin(deps.keys, userId, currentAuthKey, bytes(credentials.verifier));
  const [verifier, privateKeyBlob] = await Promise.all([
    computeLoginVerifier(deps.keys, userId, bytes(body.authKey)),
    deps.keys.encrypt(bytes(body.encryptedPrivateKey), { userId }),
  ]);
  await changeCredentials(
    deps.db,
    credentials,
    { kdf: body.kdf, verifier: Buffer.from(verifier).toString('base64url'), privateKeyBlob: Buffer.from(privateKeyBlob).toString('base64url') },
    new Date(deps.clock()).toISOString(),
  );
}

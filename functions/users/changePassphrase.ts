import { operation } from '../../shared/server/http/Operation.js';
import { changePassphraseBody } from '../../shared/core/api/schemas/users.js';
import { changeUserPassphrase } from '../../shared/server/services/users/changeUserPassphrase.js';

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
    await changeUserPassphrase(deps, caller.userId, body);
    return { status: 204 };
  },
});

import { auditNote } from '../../shared/server/audit/requestAudit.js';
import { computeLoginVerifier, verifyLogin } from '../../shared/server/auth/loginVerifier.js';
import { getCredentials, getProfile } from '../../shared/server/data/users.js';
import { Unauthorized } from '../../shared/core/errors/index.js';
import { operation } from '../../shared/server/http/Operation.js';
import { tokenBody } from '../../shared/core/api/schemas/auth.js';
import { startSession } from '../../shared/server/services/sessions.js';

const invalid = () => new Unauthorized('INVALID_CREDENTIALS', 'Unknown user or wrong passphrase.');

/** Login with the passphrase-derived auth key (never the passphrase). */
export const token = operation({
  body: tokenBody,
  async run({ body, deps }) {
    const authKey = new Uint8Array(Buffer.from(body.authKey, 'base64url'));
    const [credentials, profile] = await Promise.all([getCredentials(deps.db, body.userId), getProfile(deps.db, body.userId)]);
    // A login is about the account named, found or not; its actor is that user once it exists.
    auditNote({ resource: { kind: 'user', id: body.userId }, ...(profile ? { actor: { kind: profile.kind === 'guest' ? 'guest' : 'user', id: body.userId } } : {}) });
    if (!credentials || !profile) {
      // Same KMS work as a real check, so timing does not tell unknown users apart.
      await computeLoginVerifier(deps.keys, body.userId, authKey);
      throw invalid();
    }
    await verifyLogin(deps.keys, body.userId, authKey, new Uint8Array(Buffer.from(credentials.verifier, 'base64url')));
    const [sealed, session] = await Promise.all([
      deps.keys.decrypt(new Uint8Array(Buffer.from(credentials.privateKeyBlob, 'base64url')), { userId: body.userId }),
      startSession(deps, body.userId, profile.kind, credentials.sessionEpoch ?? 0),
    ]);
    return { body: { ...session, encryptedPrivateKey: Buffer.from(sealed).toString('base64url'), user: profile } };
  },
});

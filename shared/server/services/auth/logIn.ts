import { auditNote } from '../../audit/requestAudit.js';
import { computeLoginVerifier, verifyLogin } from '../../auth/loginVerifier.js';
import type { Deps } from '../../config/Deps.js';
import { getCredentials, getProfile } from '../../data/users.js';
import { Unauthorized } from '../../../core/errors/index.js';
import type { TokenResponse } from '../../../core/api/schemas/auth.js';
import { startSession } from './sessions.js';

const invalid = () => new Unauthorized('INVALID_CREDENTIALS', 'Unknown user or wrong passphrase.');

/**
 * A login with the passphrase-derived auth key (never the passphrase): a new session and the
 * private key with the server's KMS layer removed. An unknown user and a wrong key are the same
 * refusal, after the same KMS work.
 */
export async function logIn(deps: Deps, userId: string, authKeyB64: string): Promise<TokenResponse> {
  const authKey = new Uint8Array(Buffer.from(authKeyB64, 'base64url'));
  const [credentials, profile] = await Promise.all([getCredentials(deps.db, userId), getProfile(deps.db, userId)]);
  // A login is about the account named, found or not; its actor is that user once it exists.
  auditNote({ resource: { kind: 'user', id: userId }, ...(profile ? { actor: { kind: profile.kind === 'guest' ? 'guest' : 'user', id: userId } } : {}) });
  if (!credentials || !profile) {
    // Same KMS work as a real check, so timing does not tell unknown users apart.
    await computeLoginVerifier(deps.keys, userId, authKey);
    throw invalid();
  }
  await verifyLogin(deps.keys, userId, authKey, new Uint8Array(Buffer.from(credentials.verifier, 'base64url')));
  const [sealed, session] = await Promise.all([
    deps.keys.decrypt(new Uint8Array(Buffer.from(credentials.privateKeyBlob, 'base64url')), { userId }),
    startSession(deps, userId, profile.kind, credentials.sessionEpoch ?? 0),
  ]);
  return { ...session, encryptedPrivateKey: Buffer.from(sealed).toString('base64url'), user: profile };
}

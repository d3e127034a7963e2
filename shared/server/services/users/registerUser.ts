import { createHash, createPublicKey } from 'node:crypto';
import { auditNote } from '../../audit/requestAudit.js';
import { computeLoginVerifier } from '../../auth/loginVerifier.js';
import type { Deps } from '../../config/Deps.js';
import { createGuestWithInvitation, hashInvitationCode } from '../../data/invitations.js';
import { createUser, type UserProfileItem } from '../../data/users.js';
import { isKdfStrongEnough } from '../../../core/crypto/kdfParams.js';
import { ValidationFailed } from '../../../core/errors/index.js';
import type { RegisterBody } from '../../../core/api/schemas/users.js';

/** Accept only RSA public keys of 3072 bits or more (RSA-OAEP recipients). */
function checkPublicKey(spki: Buffer): void {
  try {
    const key = createPublicKey({ key: spki, format: 'der', type: 'spki' });
    const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
    if (key.asymmetricKeyType === 'rsa' && bits >= 3072 && bits <= 8192) return;
  } catch {
    // fall through to the one error below
  }
  throw new ValidationFailed('publicKey must be an RSA public key of at least 3072 bits (SPKI DER, base64url).');
}

/**
 * Self-registration: the client sends only public and sealed material; the server keeps a login
 * verifier and the sealed private key under KMS. With an invitation code the account is a
 * guest's, and the code is spent in the same transaction that creates the user.
 */
export async function registerUser(deps: Deps, body: RegisterBody): Promise<UserProfileItem> {
  if (!deps.settings.allowWeakKdf && !isKdfStrongEnough(body.kdf)) {
    throw new ValidationFailed('The Argon2id parameters are below the minimum: use at least m=19 MiB, t=2.');
  }
  const spki = Buffer.from(body.publicKey, 'base64url');
  checkPublicKey(spki);
  const authKey = new Uint8Array(Buffer.from(body.authKey, 'base64url'));
  const [verifier, privateKeyBlob] = await Promise.all([
    computeLoginVerifier(deps.keys, body.userId, authKey),
    deps.keys.encrypt(new Uint8Array(Buffer.from(body.encryptedPrivateKey, 'base64url')), { userId: body.userId }),
  ]);
  const profile = {
    userId: body.userId,
    name: body.name,
    ...(body.email ? { email: body.email } : {}),
    ...(body.designation ? { designation: body.designation } : {}),
    kind: body.invitationCode ? ('guest' as const) : ('member' as const),
    publicKey: body.publicKey,
    fingerprint: createHash('sha256').update(spki).digest('hex'),
    createdAt: new Date(deps.clock()).toISOString(),
  };
  const credentials = {
    userId: body.userId,
    kdf: body.kdf,
    verifier: Buffer.from(verifier).toString('base64url'),
    privateKeyBlob: Buffer.from(privateKeyBlob).toString('base64url'),
  };
  // From here the request acts as the account it creates.
  auditNote({ actor: { kind: profile.kind === 'guest' ? 'guest' : 'user', id: body.userId } });
  if (body.invitationCode) {
    await createGuestWithInvitation(deps.db, profile, credentials, hashInvitationCode(body.invitationCode), deps.clock());
  } else {
    await createUser(deps.db, profile, credentials);
  }
  return profile;
}

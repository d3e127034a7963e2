import {
  deriveUserKeys,
  generateUserKeyPair,
  newKdfParams,
  sealPrivateKey,
  toBase64Url,
  type KdfCost,
} from '../../shared/core/crypto/index.js';
import type { RegisterBody } from '../../shared/core/api/schemas/users.js';
import type { OwnProfile } from '../../shared/core/api/schemas/users.js';
import type { ClientContext } from './ClientContext.js';
import { RegisteredNotLoggedInError } from './errors.js';
import { openSession } from './login.js';

export interface RegisterOptions {
  userId: string;
  name: string;
  email?: string;
  designation?: string;
  passphrase: string;
  /** Argon2id cost; a fresh salt is always drawn. Default: tuning.accountKdf, else production cost (DEFAULT_KDF). */
  kdf?: KdfCost;
  /** A member's one-time invitation: registers a guest account (see CofferClient.createInvitation). */
  invitationCode?: string;
}

/**
 * Generates the user's RSA key pair, derives the auth and sealing keys from the
 * passphrase, seals the private key, POST /users, then logs in with the same keys
 * (no second Argon2 run). The passphrase never leaves this function.
 */
export async function register(ctx: ClientContext, options: RegisterOptions): Promise<OwnProfile> {
  const kdf = newKdfParams(options.kdf ?? ctx.tuning.accountKdf);
  const [keys, pair] = await Promise.all([deriveUserKeys(options.passphrase, kdf), generateUserKeyPair()]);
  const sealed = await sealPrivateKey(pair.privateKeyPkcs8, keys.encryptionKey, options.userId);
  const body: RegisterBody = {
    userId: options.userId,
    name: options.name,
    ...(options.email !== undefined && { email: options.email }),
    ...(options.designation !== undefined && { designation: options.designation }),
    publicKey: toBase64Url(pair.publicKeySpki),
    encryptedPrivateKey: toBase64Url(sealed),
    kdf,
    authKey: toBase64Url(keys.authKey),
    ...(options.invitationCode !== undefined && { invitationCode: options.invitationCode }),
  };
  await ctx.api.post<unknown>('/users', body, { auth: false });
  try {
    return await openSession(ctx, options.userId, keys);
  } catch (error) {
    // The account exists now: the caller must still learn that (and keep the passphrase).
    throw new RegisteredNotLoggedInError(options.userId, error);
  }
}

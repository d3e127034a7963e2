import { timingSafeEqual } from 'node:crypto';
import { Unauthorized } from '../../core/errors/index.js';
import { type KeyService, MAC_BYTES } from '../ports/KeyService.js';

/**
 * Login verifiers: the server stores `HMAC_kms(label || userId || authKey)`, never the authKey
 * itself, so a stolen table alone cannot be used to log in or to test passphrase guesses
 * offline (the MAC key stays in KMS).
 *
 * Encoding: "coffer/v1/login\0" || utf8(userId) || "\0" || authKey (32 bytes). User ids never
 * contain NUL and authKey has a fixed length, so the encoding is injective.
 */

export const AUTH_KEY_BYTES = 32;
export const FAKE_KDF_SALT_BYTES = 16;

const encoder = new TextEncoder();

function invalidCredentials(): Unauthorized {
  return new Unauthorized('INVALID_CREDENTIALS', 'Unknown user or wrong passphrase.');
}

function assertUserId(userId: string): void {
  if (typeof userId !== 'string' || userId.length === 0 || userId.includes('\0')) {
    throw new TypeError('userId must be a non-empty string without NUL');
  }
}

export async function computeLoginVerifier(keys: KeyService, userId: string, authKey: Uint8Array): Promise<Uint8Array> {
  assertUserId(userId);
  if (!(authKey instanceof Uint8Array) || authKey.length !== AUTH_KEY_BYTES) {
    throw new TypeError(`authKey must be ${AUTH_KEY_BYTES} bytes`);
  }
  const label = encoder.encode(`coffer/v1/login\0${userId}\0`);
  const message = new Uint8Array(label.length + authKey.length);
  message.set(label);
  message.set(authKey, label.length);
  return keys.mac(message);
}

/**
 * Resolves if `authKey` matches the stored verifier, throws `INVALID_CREDENTIALS` otherwise.
 * Pass `stored = undefined` for an unknown user: the MAC is still computed, so unknown users
 * and wrong passphrases cost the same time and fail the same way (no user enumeration).
 */
export async function verifyLogin(
  keys: KeyService,
  userId: string,
  authKey: Uint8Array,
  stored: Uint8Array | undefined,
): Promise<void> {
  if (!(authKey instanceof Uint8Array) || authKey.length !== AUTH_KEY_BYTES) throw invalidCredentials();
  const candidate = await computeLoginVerifier(keys, userId, authKey);
  if (!(stored instanceof Uint8Array) || stored.length !== MAC_BYTES || candidate.length !== MAC_BYTES) {
    throw invalidCredentials();
  }
  // Constant-time comparison: do not replace with ===, Buffer.equals or a loop that exits early.
  if (!timingSafeEqual(candidate, stored)) throw invalidCredentials();
}

/**
 * The KDF salt prelogin answers for a user that does not exist: derived from the MAC key, so
 * it is stable across calls and looks like a random salt (no user enumeration via prelogin).
 */
export async function fakeKdfSalt(keys: KeyService, userId: string): Promise<Uint8Array> {
  assertUserId(userId);
  const mac = await keys.mac(encoder.encode(`coffer/v1/prelogin\0${userId}`));
  return mac.slice(0, FAKE_KDF_SALT_BYTES);
}

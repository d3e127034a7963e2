import { ValidationFailed } from '../errors/index.js';
import { argon2idBytes } from './argon2id.js';
import { wipe } from './bytes.js';
import { DOMAIN } from './domains.js';
import { hkdfAesGcmKey, hkdfBytes, hkdfKey } from './hkdf.js';
import { parseKdfParams, type KdfParams } from './kdfParams.js';
import { utf8Encode } from './utf8.js';

export type UserKeys = {
  /** Login verifier sent to the server (which stores only a hash of it). 32 bytes. */
  authKey: Uint8Array;
  /** AES-256-GCM key that seals the user's private key. Non-extractable. */
  encryptionKey: CryptoKey;
};

const MASTER_KEY_BYTES = 32;
const MAX_PASSPHRASE_CHARS = 1024;
const NO_SALT = new Uint8Array(0);

/**
 * The two keys a passphrase yields:
 *   master        = Argon2id(NFKC(passphrase), salt, m, t, p, 32 bytes)
 *   authKey       = HKDF-SHA256(master, info "coffer/v1/auth", 32 bytes)
 *   encryptionKey = HKDF-SHA256(master, info "coffer/v1/private-key") as AES-256-GCM
 * The server sees authKey only; HKDF's one-wayness keeps encryptionKey out of its reach.
 * The passphrase is NFKC-normalised so the same phrase typed on another keyboard or OS
 * derives the same keys.
 */
export async function deriveUserKeys(passphrase: string, kdf: KdfParams): Promise<UserKeys> {
  if (typeof passphrase !== 'string') throw new ValidationFailed('The passphrase must be a string.');
  const normalised = passphrase.normalize('NFKC');
  if (normalised.length === 0 || normalised.length > MAX_PASSPHRASE_CHARS) {
    throw new ValidationFailed(`The passphrase must be 1 to ${MAX_PASSPHRASE_CHARS} characters.`);
  }
  const { cost, salt } = parseKdfParams(kdf);
  const password = utf8Encode(normalised);
  let master: Uint8Array<ArrayBuffer> | undefined;
  try {
    master = await argon2idBytes(password, salt, cost, MASTER_KEY_BYTES);
    const base = await hkdfKey(master);
    const [authKey, encryptionKey] = await Promise.all([
      hkdfBytes(base, NO_SALT, DOMAIN.auth, 32),
      hkdfAesGcmKey(base, NO_SALT, DOMAIN.privateKey, ['encrypt', 'decrypt']),
    ]);
    return { authKey, encryptionKey };
  } finally {
    wipe(password);
    if (master) wipe(master);
  }
}

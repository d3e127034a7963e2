import { DecryptionFailed, ValidationFailed } from '../errors/index.js';
import { AES_GCM, aesGcmOpen, aesGcmSeal } from './aesGcm.js';
import { concatBytes, copyBytes } from './bytes.js';
import { DOMAIN } from './domains.js';
import { assertAesGcmKey, assertBytes, assertUserId } from './inputChecks.js';
import { randomBytes } from './randomBytes.js';
import { utf8Encode } from './utf8.js';

/**
 * The private key at rest on the server:
 *   blob = 0x01 (format version) || nonce (12 random bytes) || AES-256-GCM(pkcs8) || tag (16)
 *   AAD  = utf8("coffer/v1/private-key") || 0x00 || utf8(userId)
 * under deriveUserKeys().encryptionKey. The AAD binds the owner, so a blob copied to
 * another account does not open there. Random nonces are safe: one key seals a handful
 * of blobs (one per passphrase change), far below the 2^32 limit for 96-bit random nonces.
 */
const FORMAT_VERSION = 0x01;
const OVERHEAD = 1 + AES_GCM.nonceBytes + AES_GCM.tagBytes;
/** An RSA-4096 PKCS#8 is about 2.4 KB: anything bigger is not a key. */
const MAX_PKCS8_BYTES = 8192;

export async function sealPrivateKey(pkcs8: Uint8Array, encryptionKey: CryptoKey, userId: string): Promise<Uint8Array> {
  assertBytes(pkcs8, 'The private key');
  if (pkcs8.length === 0 || pkcs8.length > MAX_PKCS8_BYTES) {
    throw new ValidationFailed(`The private key must be 1 to ${MAX_PKCS8_BYTES} bytes of PKCS#8.`);
  }
  assertAesGcmKey(encryptionKey, 'encrypt', 'The encryption key');
  assertUserId(userId);
  const nonce = randomBytes(AES_GCM.nonceBytes);
  const sealed = await aesGcmSeal(encryptionKey, nonce, copyBytes(pkcs8), sealAad(userId));
  return concatBytes(Uint8Array.of(FORMAT_VERSION), nonce, sealed);
}

export async function openPrivateKey(blob: Uint8Array, encryptionKey: CryptoKey, userId: string): Promise<Uint8Array> {
  assertBytes(blob, 'The sealed private key');
  assertAesGcmKey(encryptionKey, 'decrypt', 'The encryption key');
  assertUserId(userId);
  // Format checks before any crypto; each failure is the same DecryptionFailed.
  if (blob.length <= OVERHEAD || blob.length > OVERHEAD + MAX_PKCS8_BYTES) throw new DecryptionFailed();
  if (blob[0] !== FORMAT_VERSION) throw new DecryptionFailed();
  const nonce = copyBytes(blob.subarray(1, 1 + AES_GCM.nonceBytes));
  const sealed = copyBytes(blob.subarray(1 + AES_GCM.nonceBytes));
  return aesGcmOpen(encryptionKey, nonce, sealed, sealAad(userId));
}

function sealAad(userId: string): Uint8Array<ArrayBuffer> {
  return utf8Encode(`${DOMAIN.privateKey}\0${userId}`);
}

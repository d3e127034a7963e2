import { DecryptionFailed } from '../errors/index.js';
import { subtle } from './subtle.js';

/** Everything about the one AEAD of Coffer, in one table. */
export const AES_GCM = {
  name: 'AES-GCM',
  keyBits: 256,
  nonceBytes: 12,
  tagBytes: 16,
} as const;

/**
 * AES-256-GCM encryption: returns ciphertext || 16-byte tag.
 * Do not await anything before the subtle() call: callers reuse `plaintext` as soon as this
 * returns its promise, relying on WebCrypto copying the input at call time.
 */
export async function aesGcmSeal(
  key: CryptoKey,
  nonce: Uint8Array<ArrayBuffer>,
  plaintext: Uint8Array<ArrayBuffer>,
  aad: Uint8Array<ArrayBuffer>,
): Promise<Uint8Array<ArrayBuffer>> {
  const sealed = await subtle().encrypt(
    { name: AES_GCM.name, iv: nonce, additionalData: aad, tagLength: AES_GCM.tagBytes * 8 },
    key,
    plaintext,
  );
  return new Uint8Array(sealed);
}

/**
 * AES-256-GCM decryption of ciphertext || tag. Any failure (WebCrypto's OperationError on
 * a bad tag, wrong key, wrong nonce or AAD) becomes the one DecryptionFailed.
 */
export async function aesGcmOpen(
  key: CryptoKey,
  nonce: Uint8Array<ArrayBuffer>,
  sealed: Uint8Array<ArrayBuffer>,
  aad: Uint8Array<ArrayBuffer>,
): Promise<Uint8Array<ArrayBuffer>> {
  if (sealed.length < AES_GCM.tagBytes) throw new DecryptionFailed();
  // As in aesGcmSeal: nothing may be awaited before the subtle() call (callers reuse `sealed`).
  try {
    const opened = await subtle().decrypt(
      { name: AES_GCM.name, iv: nonce, additionalData: aad, tagLength: AES_GCM.tagBytes * 8 },
      key,
      sealed,
    );
    return new Uint8Array(opened);
  } catch {
    throw new DecryptionFailed();
  }
}

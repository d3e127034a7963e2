/**
 * Coffer client-side crypto: the one front door. WebCrypto and hash-wasm only, so it runs
 * in Node and in browsers. Every failure to decrypt, unwrap or parse ciphertext throws
 * DecryptionFailed ('DECRYPTION_FAILED', 'Decryption failed.'); bad arguments throw
 * ValidationFailed. Formats: docs/envelope-format.md.
 */

// Encoding
export { fromBase64Url, toBase64Url } from './base64url.js';
export { utf8Decode, utf8Encode } from './utf8.js';

// Passphrases and user keys
export {
  DEFAULT_KDF,
  isKdfStrongEnough,
  MAX_KDF,
  MIN_PRODUCTION_KDF,
  newKdfParams,
  TEST_KDF, // tests only: see kdfParams.ts
  type KdfCost,
  type KdfParams,
} from './kdfParams.js';
export { deriveUserKeys, type UserKeys } from './userKeys.js';
export {
  checkPassphraseStrength,
  generatePassphrase,
  type GeneratedPassphrase,
  type PassphraseStrength,
} from './passphrase.js';
export { checkLinkPasswordStrength, MIN_LINK_PASSWORD_BITS, MIN_LINK_PASSWORD_LENGTH } from './linkPasswordStrength.js';
export { fingerprint, generateUserKeyPair, importPrivateKey, importPublicKey, type UserKeyPair } from './userKeyPair.js';
export { openPrivateKey, sealPrivateKey } from './privateKeySeal.js';

// Document keys
export { DATA_KEY_BYTES, generateDataKey } from './dataKey.js';
export { unwrapKey, wrapKey, type WrapKind, type WrapLabel } from './keyWrap.js';
export { decryptMetadata, encryptMetadata } from './metadata.js';

// Folders and groups
export {
  unwrapKeyUnderKey,
  wrapKeyUnderKey,
  type KeyUnderKeyKind,
  type KeyUnderKeyLabel,
} from './keyUnderKey.js';
export {
  generateGroupKeyPair,
  generateGroupSecret,
  GROUP_SECRET_BYTES,
  openGroupPrivateKey,
  sealGroupPrivateKey,
  type GroupKeyLabel,
  type GroupKeyPair,
} from './groupKeys.js';

// Share links
export {
  deriveLinkKeys,
  formatLinkUrl,
  LINK_SECRET_BYTES,
  newLinkSecret,
  parseLinkUrl,
  unwrapLinkKey,
  wrapKeyForLink,
  type LinkKeys,
  type LinkPassword,
} from './linkKeys.js';

// Document content: the stream envelope
export { decryptStream } from './decryptStream.js';
export { encryptStream } from './encryptStream.js';
export { decryptBytes, encryptBytes } from './streamBytes.js';
export type { StreamContext } from './streamContext.js';
export { HEADER_SIZE, readStreamHeader } from './streamHeader.js';
export { DIGEST_LENGTH, TagDigest } from './tagDigest.js';
export { digestStream, type DigestStream } from './digestStream.js';
export { planRange, type RangePlan } from './planRange.js';
export { decryptRange } from './decryptRange.js';
export { CHUNK_SIZE, chunkCount, chunkOffset, ciphertextSize, plaintextSize } from './streamSizes.js';

// DANGEROUS, fenced: re-encrypts under an existing stream's key. Resume of the IDENTICAL
// plaintext only (see the fence in encryptStreamWithHeader.ts); anything else reuses nonces.
export { UNSAFE_encryptStreamWithHeader } from './encryptStreamWithHeader.js';

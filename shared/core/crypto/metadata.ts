import { DecryptionFailed, ValidationFailed } from '../errors/index.js';
import { AES_GCM, aesGcmOpen, aesGcmSeal } from './aesGcm.js';
import { fromBase64Url, toBase64Url } from './base64url.js';
import { concatBytes, copyBytes, u16be, wipe } from './bytes.js';
import { DATA_KEY_BYTES } from './dataKey.js';
import { DOMAIN } from './domains.js';
import { hkdfAesGcmKey, hkdfKey } from './hkdf.js';
import { assertBytes, assertDocumentId } from './inputChecks.js';
import { randomBytes } from './randomBytes.js';
import { utf8Decode, utf8Encode } from './utf8.js';

/**
 * Encrypted document metadata (file name, user metadata), as base64url of
 *   0x01 (format version) || nonce (12 random bytes) || AES-256-GCM(utf8 value) || tag (16)
 * under key = HKDF-SHA256(DEK, no salt, info "coffer/v1/metadata"), with
 *   AAD = utf8("coffer/v1/metadata") || 0x00 || u16 len || documentId || u16 len || field
 * The AAD binds the document and the field, so a server cannot swap a name between
 * documents or between fields. Random nonces are safe: a DEK encrypts a few metadata
 * values, far below the 2^32 limit for 96-bit random nonces.
 */
const FORMAT_VERSION = 0x01;
const OVERHEAD = 1 + AES_GCM.nonceBytes + AES_GCM.tagBytes;
/** Metadata is small (names, tags): 64 KiB of UTF-8 at most. */
export const MAX_METADATA_BYTES = 65536;
const MAX_BLOB_CHARS = Math.ceil(((OVERHEAD + MAX_METADATA_BYTES) * 4) / 3);
const FIELD = /^[A-Za-z0-9._:-]{1,64}$/;
const NO_SALT = new Uint8Array(0);

export async function encryptMetadata(dek: Uint8Array, documentId: string, field: string, value: string): Promise<string> {
  const aad = metadataAad(dek, documentId, field);
  if (typeof value !== 'string') throw new ValidationFailed('The metadata value must be a string.');
  const plaintext = utf8Encode(value);
  if (plaintext.length > MAX_METADATA_BYTES) throw new ValidationFailed(`The metadata value must be at most ${MAX_METADATA_BYTES} bytes.`);
  const key = await metadataKey(dek, 'encrypt');
  const nonce = randomBytes(AES_GCM.nonceBytes);
  const sealed = await aesGcmSeal(key, nonce, plaintext, aad);
  return toBase64Url(concatBytes(Uint8Array.of(FORMAT_VERSION), nonce, sealed));
}

export async function decryptMetadata(dek: Uint8Array, documentId: string, field: string, blob: string): Promise<string> {
  const aad = metadataAad(dek, documentId, field);
  if (typeof blob !== 'string') throw new ValidationFailed('The encrypted metadata must be a base64url string.');
  // Format checks before any crypto; each failure is the same DecryptionFailed.
  if (blob.length > MAX_BLOB_CHARS) throw new DecryptionFailed();
  let bytes: Uint8Array<ArrayBuffer>;
  try {
    bytes = fromBase64Url(blob);
  } catch {
    throw new DecryptionFailed();
  }
  if (bytes.length < OVERHEAD || bytes.length > OVERHEAD + MAX_METADATA_BYTES) throw new DecryptionFailed();
  if (bytes[0] !== FORMAT_VERSION) throw new DecryptionFailed();
  const key = await metadataKey(dek, 'decrypt');
  const nonce = bytes.slice(1, 1 + AES_GCM.nonceBytes);
  const plaintext = await aesGcmOpen(key, nonce, bytes.slice(1 + AES_GCM.nonceBytes), aad);
  try {
    return utf8Decode(plaintext);
  } catch {
    throw new DecryptionFailed();
  }
}

/** Validates the caller's inputs and builds the AAD (no crypto). */
function metadataAad(dek: Uint8Array, documentId: string, field: string): Uint8Array<ArrayBuffer> {
  assertBytes(dek, 'The data key', DATA_KEY_BYTES);
  assertDocumentId(documentId);
  if (typeof field !== 'string' || !FIELD.test(field)) {
    throw new ValidationFailed('The metadata field must match ^[A-Za-z0-9._:-]{1,64}$.');
  }
  const id = utf8Encode(documentId);
  const name = utf8Encode(field);
  return concatBytes(utf8Encode(DOMAIN.metadata), Uint8Array.of(0), u16be(id.length), id, u16be(name.length), name);
}

async function metadataKey(dek: Uint8Array, usage: KeyUsage): Promise<CryptoKey> {
  const ikm = copyBytes(dek);
  try {
    return await hkdfAesGcmKey(await hkdfKey(ikm), NO_SALT, DOMAIN.metadata, [usage]);
  } finally {
    wipe(ikm);
  }
}

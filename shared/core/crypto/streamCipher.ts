import { DecryptionFailed, ValidationFailed } from '../errors/index.js';
import { AES_GCM, aesGcmOpen, aesGcmSeal } from './aesGcm.js';
import { concatBytes, u16be, u32be } from './bytes.js';
import { DOMAIN } from './domains.js';
import { hkdfAesGcmKey } from './hkdf.js';
import type { StreamContext } from './streamContext.js';
import { MAX_CHUNKS } from './streamSizes.js';
import { utf8Encode } from './utf8.js';

/**
 * The key schedule and per-chunk AEAD of a stream (age's STREAM construction).
 *
 *   streamKey = HKDF-SHA256(ikm = DEK, salt = header salt, info = "coffer/v1/stream")
 *   nonce_i   = 11-byte big-endian i || last flag (0x01 on the final chunk, else 0x00)
 *   AAD       = header (38 bytes) || u16 len || utf8 documentId || u32 version
 *   chunk_i   = AES-256-GCM(streamKey, nonce_i, plaintext_i, AAD) = ciphertext || 16-byte tag
 *
 * INVARIANT (why counter nonces are safe): a (key, nonce) pair is never used twice.
 * Every stream draws a fresh 32-byte random salt, so every stream has its own key even
 * when a DEK encrypts many streams (versions, re-uploads); a salt collision needs about
 * 2^128 streams. Within one stream the counter gives every chunk a distinct nonce, and
 * the last flag only ever adds nonces. Do not derive stream keys without a fresh salt.
 * The one exception is UNSAFE_encryptStreamWithHeader (resume): it re-derives a stream's
 * key to re-encrypt the identical plaintext, so every (key, nonce) pair seals the same
 * bytes as before and nothing new is revealed.
 *
 * The counter makes chunks unreorderable and undroppable (a chunk opens only at its own
 * index); the last flag makes truncation at a chunk boundary detectable (the final chunk
 * opens only as final); the AAD binds every chunk to the header, document and version.
 */
export type StreamCipher = {
  key: CryptoKey;
  aad: Uint8Array<ArrayBuffer>;
};

export const NONCE_COUNTER_BYTES = 11;

export async function streamCipher(
  dekKey: CryptoKey,
  header: Uint8Array<ArrayBuffer>,
  salt: Uint8Array<ArrayBuffer>,
  context: StreamContext,
  usage: KeyUsage,
): Promise<StreamCipher> {
  const key = await hkdfAesGcmKey(dekKey, salt, DOMAIN.stream, [usage]);
  return { key, aad: streamAad(header, context) };
}

/** header || u16 len(documentId) || documentId || u32 version (all big-endian). */
export function streamAad(header: Uint8Array, context: StreamContext): Uint8Array<ArrayBuffer> {
  const id = utf8Encode(context.documentId);
  return concatBytes(header, u16be(id.length), id, u32be(context.version));
}

/** The 12-byte nonce of chunk `index`. */
export function chunkNonce(index: number, last: boolean): Uint8Array<ArrayBuffer> {
  if (!Number.isInteger(index) || index < 0 || index >= MAX_CHUNKS) {
    throw new ValidationFailed(`A stream holds at most ${MAX_CHUNKS} chunks.`);
  }
  const nonce = new Uint8Array(AES_GCM.nonceBytes);
  const view = new DataView(nonce.buffer);
  // Bytes 0..10: counter, big-endian. index < 2^32, so only bytes 7..10 are non-zero.
  view.setUint32(NONCE_COUNTER_BYTES - 4, index);
  nonce[NONCE_COUNTER_BYTES] = last ? 0x01 : 0x00;
  return nonce;
}

export function sealChunk(
  cipher: StreamCipher,
  index: number,
  last: boolean,
  plaintext: Uint8Array<ArrayBuffer>,
): Promise<Uint8Array<ArrayBuffer>> {
  return aesGcmSeal(cipher.key, chunkNonce(index, last), plaintext, cipher.aad);
}

export function openChunk(
  cipher: StreamCipher,
  index: number,
  last: boolean,
  sealed: Uint8Array<ArrayBuffer>,
): Promise<Uint8Array<ArrayBuffer>> {
  if (index >= MAX_CHUNKS) return Promise.reject(new DecryptionFailed());
  return aesGcmOpen(cipher.key, chunkNonce(index, last), sealed, cipher.aad);
}

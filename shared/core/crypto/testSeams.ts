// =======================================================================================
// TESTS AND TEST VECTORS ONLY. NOT EXPORTED FROM index.ts. DO NOT IMPORT FROM PRODUCT CODE.
//
// These functions take the stream salt from the caller instead of the CSPRNG, so that
// test/vectors/generate.ts produces the same bytes every run, and so tests can build
// malformed streams (wrong last flag, reordered or spliced chunks). Encrypting two streams
// with the same DEK and the same salt reuses AES-GCM (key, nonce) pairs, which destroys
// both confidentiality and integrity. Product code calls encryptStream.
// =======================================================================================
import { concatBytes, copyBytes } from './bytes.js';
import { createStreamEncryptor } from './encryptStream.js';
import { hkdfKey } from './hkdf.js';
import { sealChunk, streamCipher } from './streamCipher.js';
import type { StreamContext } from './streamContext.js';
import { encodeStreamHeader } from './streamHeader.js';

/** UNSAFE: encryptStream with a caller-chosen salt (deterministic output). */
export function UNSAFE_encryptStreamWithSaltForTests(
  dek: Uint8Array,
  context: StreamContext,
  salt: Uint8Array,
): TransformStream<Uint8Array, Uint8Array> {
  return createStreamEncryptor(dek, context, salt);
}

/** One chunk to seal as it is told, however wrong (index, last flag, size). */
export type RawChunk = { index: number; last: boolean; plaintext: Uint8Array };

/**
 * UNSAFE: header || the chunks sealed exactly as described, in the order given, under a
 * caller-chosen salt. Builds well-formed and malformed streams alike.
 */
export async function UNSAFE_sealRawStreamForTests(
  dek: Uint8Array,
  context: StreamContext,
  salt: Uint8Array,
  chunks: readonly RawChunk[],
): Promise<Uint8Array> {
  const header = encodeStreamHeader(salt);
  const cipher = await streamCipher(await hkdfKey(copyBytes(dek)), header, copyBytes(salt), context, 'encrypt');
  const sealed = await Promise.all(chunks.map((c) => sealChunk(cipher, c.index, c.last, copyBytes(c.plaintext))));
  return concatBytes(header, ...sealed);
}

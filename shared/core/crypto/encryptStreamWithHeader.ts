// =======================================================================================
// DANGEROUS: REUSES A STREAM KEY. FOR RESUMING AN UPLOAD OF THE IDENTICAL PLAINTEXT ONLY.
//
// A stream's key is HKDF(DEK, header salt), and its chunk nonces are counters. Encrypting
// with the salt of an existing header under the same DEK, document and version therefore
// uses exactly the (key, nonce) pairs of the first encryption. With the same plaintext the
// output is byte-identical, which is what resuming an interrupted multipart upload needs
// (docs/versions.md "Resume"). With ANY other plaintext, AES-GCM nonces are reused: the XOR
// of the two plaintexts leaks and the GHASH key can be recovered, so tags can be forged for
// that stream. The caller MUST prove the plaintext is identical before sending any byte of
// the output: the resume journal compares every re-made part's TagDigest with the one
// recorded for the original part, and refuses with FILE_CHANGED on any difference.
// Everything else calls encryptStream, which draws a fresh salt.
// =======================================================================================
import { ValidationFailed } from '../errors/index.js';
import { DATA_KEY_BYTES } from './dataKey.js';
import { createStreamEncryptor } from './encryptStream.js';
import { assertBytes } from './inputChecks.js';
import { assertStreamContext, type StreamContext } from './streamContext.js';
import { HEADER_SIZE, parseStreamHeader } from './streamHeader.js';

/**
 * UNSAFE: encryptStream with the salt of `header` (the 38-byte header of the interrupted
 * upload's stream, e.g. from its journal) instead of a fresh one. Same DEK, context and
 * plaintext as the original give the original ciphertext, header included. Read the fence
 * above: different plaintext under the same header reuses AES-GCM nonces.
 *
 * Every argument is checked before any crypto; a header that is not a well-formed v1 header
 * is ValidationFailed (it is the caller's own value).
 */
export function UNSAFE_encryptStreamWithHeader(
  dek: Uint8Array,
  context: StreamContext,
  header: Uint8Array,
): TransformStream<Uint8Array, Uint8Array> {
  assertBytes(dek, 'The data key', DATA_KEY_BYTES);
  assertStreamContext(context);
  assertBytes(header, 'The stream header', HEADER_SIZE);
  let salt: Uint8Array;
  try {
    salt = parseStreamHeader(header).salt;
  } catch {
    throw new ValidationFailed('The stream header is not a v1 Coffer header: pass the first 38 bytes of the original stream.');
  }
  return createStreamEncryptor(dek, context, salt);
}

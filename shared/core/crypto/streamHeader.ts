import { DecryptionFailed, ValidationFailed } from '../errors/index.js';

/**
 * The fixed 38-byte header of a v1 stream (docs/envelope-format.md):
 *
 *   offset  size  field
 *        0     3  magic "CFR" (0x43 0x46 0x52)
 *        3     1  format version, 0x01
 *        4     1  chunk size exponent, 20 (2^20 = 1 MiB; the only value in v1)
 *        5     1  flags, 0x00 (reserved: any other value is rejected)
 *        6    32  salt: random per stream, the HKDF salt of the stream key
 *
 * There is exactly one valid encoding of a header with a given salt, and the whole header
 * is part of every chunk's AAD, so any change to it fails the first chunk.
 */
export const STREAM_MAGIC = Uint8Array.of(0x43, 0x46, 0x52);
export const STREAM_FORMAT_VERSION = 0x01;
export const CHUNK_SIZE_EXPONENT = 20;
export const STREAM_FLAGS = 0x00;
export const STREAM_SALT_SIZE = 32;
export const HEADER_SIZE = 6 + STREAM_SALT_SIZE;

export function encodeStreamHeader(salt: Uint8Array): Uint8Array<ArrayBuffer> {
  if (!(salt instanceof Uint8Array) || salt.length !== STREAM_SALT_SIZE) {
    throw new ValidationFailed(`The stream salt must be ${STREAM_SALT_SIZE} bytes.`);
  }
  const header = new Uint8Array(HEADER_SIZE);
  header.set(STREAM_MAGIC, 0);
  header[3] = STREAM_FORMAT_VERSION;
  header[4] = CHUNK_SIZE_EXPONENT;
  header[5] = STREAM_FLAGS;
  header.set(salt, 6);
  return header;
}

/** Checks every field (before any crypto) and returns a copy of the salt. Anything wrong: DecryptionFailed. */
export function parseStreamHeader(header: Uint8Array): { salt: Uint8Array<ArrayBuffer> } {
  if (header.length !== HEADER_SIZE) throw new DecryptionFailed();
  if (header[0] !== STREAM_MAGIC[0] || header[1] !== STREAM_MAGIC[1] || header[2] !== STREAM_MAGIC[2]) throw new DecryptionFailed();
  if (header[3] !== STREAM_FORMAT_VERSION) throw new DecryptionFailed();
  if (header[4] !== CHUNK_SIZE_EXPONENT) throw new DecryptionFailed();
  if (header[5] !== STREAM_FLAGS) throw new DecryptionFailed();
  return { salt: header.slice(6, HEADER_SIZE) };
}

/**
 * The header of a stream, from its first bytes (at least HEADER_SIZE of them, e.g. the first
 * piece encryptStream enqueues, or bytes 0-37 of a stored object): a checked copy. A
 * malformed header is ciphertext gone wrong: DecryptionFailed, before any crypto.
 */
export function readStreamHeader(firstBytes: Uint8Array): Uint8Array<ArrayBuffer> {
  if (!(firstBytes instanceof Uint8Array)) throw new ValidationFailed('The stream header must be a Uint8Array.');
  if (firstBytes.length < HEADER_SIZE) throw new DecryptionFailed();
  const header = new Uint8Array(HEADER_SIZE); // a real copy (Buffer#slice would be a view)
  header.set(firstBytes.subarray(0, HEADER_SIZE));
  parseStreamHeader(header);
  return header;
}

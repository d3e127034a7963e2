import { ValidationFailed } from '../errors/index.js';
import { AES_GCM } from './aesGcm.js';
import { CHUNK_SIZE_EXPONENT, HEADER_SIZE } from './streamHeader.js';

export { HEADER_SIZE } from './streamHeader.js';

/** Plaintext bytes per chunk: 1 MiB. Every chunk but the last is exactly this long. */
export const CHUNK_SIZE = 2 ** CHUNK_SIZE_EXPONENT;
/** AES-GCM tag appended to each chunk. */
export const TAG_SIZE = AES_GCM.tagBytes;
/** Ciphertext bytes of a full chunk. */
export const ENCRYPTED_CHUNK_SIZE = CHUNK_SIZE + TAG_SIZE;
/**
 * Most chunks in one stream (4 PiB of plaintext). The nonce counter has 88 bits; this
 * lower cap keeps every size and offset an exact JavaScript number.
 */
export const MAX_CHUNKS = 2 ** 32;

/** Number of chunks for a plaintext size: at least 1 (an empty plaintext is one empty chunk). */
export function chunkCount(plaintextSize: number): number {
  assertSize(plaintextSize, 'plaintext');
  const count = Math.max(1, Math.ceil(plaintextSize / CHUNK_SIZE));
  if (count > MAX_CHUNKS) throw new ValidationFailed(`A stream holds at most ${MAX_CHUNKS} chunks.`);
  return count;
}

/** Exact ciphertext size: header + plaintext + one 16-byte tag per chunk. */
export function ciphertextSize(plaintextSize: number): number {
  return HEADER_SIZE + plaintextSize + chunkCount(plaintextSize) * TAG_SIZE;
}

/** Exact plaintext size of a well-formed stream of `ciphertextSize` bytes; throws ValidationFailed if none can be that long. */
export function plaintextSize(ciphertextSize: number): number {
  assertSize(ciphertextSize, 'ciphertext');
  const body = ciphertextSize - HEADER_SIZE;
  if (body < TAG_SIZE) throw impossible();
  const fullChunks = Math.floor(body / ENCRYPTED_CHUNK_SIZE);
  const rest = body % ENCRYPTED_CHUNK_SIZE;
  let size: number;
  if (rest === 0) size = fullChunks * CHUNK_SIZE; // the last chunk is full
  else if (rest > TAG_SIZE) size = fullChunks * CHUNK_SIZE + rest - TAG_SIZE;
  else if (rest === TAG_SIZE && fullChunks === 0) size = 0; // the empty stream: one empty chunk
  else throw impossible(); // a last chunk of 0 bytes after data, or shorter than a tag
  if (Math.max(1, Math.ceil(size / CHUNK_SIZE)) > MAX_CHUNKS) throw impossible();
  return size;
}

/** Byte offset of chunk `index` in the ciphertext (for ranged reads). */
export function chunkOffset(index: number): number {
  if (typeof index !== 'number' || !Number.isInteger(index) || index < 0 || index >= MAX_CHUNKS) {
    throw new ValidationFailed(`The chunk index must be an integer from 0 to ${MAX_CHUNKS - 1}.`);
  }
  return HEADER_SIZE + index * ENCRYPTED_CHUNK_SIZE;
}

function assertSize(value: unknown, name: string): asserts value is number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new ValidationFailed(`The ${name} size must be a non-negative integer.`);
  }
}

function impossible(): ValidationFailed {
  return new ValidationFailed('No Coffer stream has this ciphertext size.');
}

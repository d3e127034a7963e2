import { ValidationFailed } from '../errors/index.js';
import { CHUNK_SIZE, chunkCount, chunkOffset, ENCRYPTED_CHUNK_SIZE, plaintextSize } from './streamSizes.js';

/**
 * Which ciphertext bytes a ranged read needs, for plaintext [start, end) of a stream of
 * `ciphertextSize` bytes. All offsets are absolute; ends are exclusive.
 */
export type RangePlan = {
  /** The stream's total ciphertext size the plan was made for. */
  ciphertextSize: number;
  /** Plaintext range [start, end). */
  start: number;
  end: number;
  /** Chunks covering the range, first and last (inclusive). */
  firstChunk: number;
  lastChunk: number;
  /** Ciphertext to fetch, [ciphertextStart, ciphertextEnd): whole chunks only (HTTP Range: bytes=start-(end-1)). */
  ciphertextStart: number;
  ciphertextEnd: number;
  /** The range reaches the stream's final chunk, which is opened with the last flag set. */
  includesFinalChunk: boolean;
  /** Plaintext bytes dropped from the front of the first chunk. */
  skip: number;
  /** Plaintext bytes emitted: end - start. */
  length: number;
};

/**
 * Plans a ranged read of plaintext [start, end) (END exclusive) from a stream of
 * `ciphertextSize` bytes. The ciphertext bytes [ciphertextStart, ciphertextEnd) and the
 * stream's header (bytes 0-37) are all decryptRange needs.
 *
 * An empty range (start = end) is refused: it would authenticate nothing, and a caller
 * who wants zero bytes needs no download. So is any range not inside [0, plaintext size],
 * which makes every range of an empty document invalid. ValidationFailed names the fix.
 */
export function planRange(ciphertextSize: number, start: number, end: number): RangePlan {
  let size: number;
  try {
    size = plaintextSize(ciphertextSize);
  } catch {
    throw new ValidationFailed('The ciphertext size must be the exact size of a Coffer stream.');
  }
  for (const [name, value] of [['start', start], ['end', end]] as const) {
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
      throw new ValidationFailed(`The range ${name} must be a non-negative integer.`);
    }
  }
  if (end <= start) throw new ValidationFailed(`The range is empty or reversed: END (${end}) must be greater than START (${start}).`);
  if (end > size) throw new ValidationFailed(`The range ends at ${end}, past the end of the document (${size} bytes).`);

  const firstChunk = Math.floor(start / CHUNK_SIZE);
  const lastChunk = Math.floor((end - 1) / CHUNK_SIZE);
  return {
    ciphertextSize,
    start,
    end,
    firstChunk,
    lastChunk,
    ciphertextStart: chunkOffset(firstChunk),
    ciphertextEnd: Math.min(chunkOffset(lastChunk) + ENCRYPTED_CHUNK_SIZE, ciphertextSize),
    includesFinalChunk: lastChunk === chunkCount(size) - 1,
    skip: start - firstChunk * CHUNK_SIZE,
    length: end - start,
  };
}

/** ValidationFailed unless `plan` is exactly what planRange makes for its size and range. */
export function assertRangePlan(plan: unknown): asserts plan is RangePlan {
  const given = plan as Partial<RangePlan> | null;
  if (typeof given !== 'object' || given === null) throw new ValidationFailed('The range plan must come from planRange.');
  const expected = planRange(given.ciphertextSize as number, given.start as number, given.end as number);
  for (const key of Object.keys(expected) as (keyof RangePlan)[]) {
    if (given[key] !== expected[key]) throw new ValidationFailed(`The range plan does not match planRange (${key}): make it with planRange.`);
  }
}

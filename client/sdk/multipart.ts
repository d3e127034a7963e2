import { TagDigest } from '../../shared/core/crypto/index.js';
import { ENCRYPTED_CHUNK_SIZE } from '../../shared/core/crypto/streamSizes.js';
import { HEADER_SIZE } from '../../shared/core/crypto/streamHeader.js';

/** Number of parts `size` bytes make at `partSize` bytes each. */
export function partCount(size: number, partSize: number): number {
  return Math.ceil(size / partSize);
}

/** One part of a multipart upload, cut from the ciphertext stream. */
export interface CutPart {
  /** 1-based, as S3 numbers parts. */
  partNumber: number;
  /** Absolute offset of the part's first byte in the ciphertext. */
  start: number;
  /**
   * The part's bytes: a view of a pooled buffer, valid until `release()` (then reused for a
   * later part). Send it, then release it, also on failure.
   */
  bytes: Uint8Array<ArrayBuffer>;
  /**
   * The part's check digest: the TagDigest (header and tags) of every chunk with a byte in this
   * part, from `start` to the end of the chunk holding the part's last byte. A part boundary may
   * cut a chunk (with the server's plan it always does, 38 bytes before the chunk's end): that
   * chunk's tag then lies in the next part, and it is included here too, so a change anywhere in
   * the part's bytes changes its check digest. What the resume journal records and compares.
   */
  check: string;
  release(): void;
}

/**
 * A fixed set of part buffers, handed out one at a time: at most `count` parts exist in memory at
 * once (being filled or being sent), whatever the file size. A buffer is reused after release, so
 * its pages are touched once, not once per part.
 */
export class PartBuffers {
  readonly #size: number;
  readonly #free: Uint8Array<ArrayBuffer>[] = [];
  readonly #waiting: ((buffer: Uint8Array<ArrayBuffer>) => void)[] = [];
  #created = 0;
  readonly #count: number;

  constructor(count: number, size: number) {
    if (!Number.isInteger(count) || count < 1) throw new RangeError(`invalid part buffer count ${count}`);
    if (!Number.isSafeInteger(size) || size < 1) throw new RangeError(`invalid part size ${size}`);
    this.#count = count;
    this.#size = size;
  }

  /** Buffers currently handed out. */
  get inUse(): number {
    return this.#created - this.#free.length;
  }

  /** A free buffer, allocated lazily up to `count`; waits for a release beyond that. */
  acquire(): Promise<Uint8Array<ArrayBuffer>> {
    const free = this.#free.pop();
    if (free) return Promise.resolve(free);
    if (this.#created < this.#count) {
      this.#created++;
      return Promise.resolve(new Uint8Array(this.#size));
    }
    return new Promise((resolve) => this.#waiting.push(resolve));
  }

  release(buffer: Uint8Array<ArrayBuffer>): void {
    const next = this.#waiting.shift();
    if (next) next(buffer);
    else this.#free.push(buffer);
  }
}

/** End (exclusive) of the chunk holding ciphertext byte `at`, in a stream of `size` bytes. */
export function chunkEndAt(at: number, size: number): number {
  if (at < HEADER_SIZE) return Math.min(HEADER_SIZE, size);
  const index = Math.floor((at - HEADER_SIZE) / ENCRYPTED_CHUNK_SIZE);
  return Math.min(HEADER_SIZE + (index + 1) * ENCRYPTED_CHUNK_SIZE, size);
}

interface Filling {
  partNumber: number;
  start: number;
  end: number;
  /** Where its check digest stops: the end of the chunk holding byte end - 1. */
  checkEnd: number;
  buffer: Uint8Array<ArrayBuffer>;
  check: TagDigest;
}

/**
 * Cuts a ciphertext stream of exactly `ciphertextSize` bytes into parts of `partSize` bytes (the
 * last one shorter), each in a buffer from `buffers` and with its check digest (see CutPart). A
 * part is yielded once its bytes are in and its check digest is complete, which needs the stream
 * up to the end of the chunk its last byte is in: those few bytes wait in `carry` (a view of the
 * piece they came in), so cutting never needs a second buffer. Stopping early (break, throw)
 * cancels the source. A stream longer or shorter than `ciphertextSize` throws RangeError.
 */
export async function* cutParts(
  stream: ReadableStream<Uint8Array>,
  ciphertextSize: number,
  partSize: number,
  buffers: PartBuffers,
): AsyncGenerator<CutPart, void, undefined> {
  if (!Number.isSafeInteger(partSize) || partSize <= 0) throw new RangeError(`invalid part size ${partSize}`);
  const reader = stream.getReader();
  const count = partCount(ciphertextSize, partSize);
  let finished = false;
  // Bytes read but not yet copied into a part buffer (they wait while the previous part's check completes).
  let carry: Uint8Array[] = [];
  let position = 0; // absolute offset of the next byte read from the stream

  const open = async (partNumber: number): Promise<Filling> => {
    const start = (partNumber - 1) * partSize;
    const end = Math.min(start + partSize, ciphertextSize);
    return {
      partNumber,
      start,
      end,
      checkEnd: chunkEndAt(end - 1, ciphertextSize),
      buffer: await buffers.acquire(),
      check: await TagDigest.create(ciphertextSize, start),
    };
  };

  const read = async (): Promise<Uint8Array | undefined> => {
    const { done, value } = await reader.read();
    if (done) {
      if (position !== ciphertextSize) throw new RangeError(`The ciphertext ended after ${position} of ${ciphertextSize} bytes.`);
      return undefined;
    }
    if (position + value.byteLength > ciphertextSize) throw new RangeError(`The ciphertext is longer than ${ciphertextSize} bytes.`);
    position += value.byteLength;
    return value;
  };

  try {
    for (let partNumber = 1; partNumber <= count; partNumber++) {
      const part = await open(partNumber);
      let filled = 0; // bytes of the part in its buffer; absolute offset part.start + filled
      const take = (piece: Uint8Array): Uint8Array => {
        const n = Math.min(piece.byteLength, part.end - part.start - filled);
        part.buffer.set(piece.subarray(0, n), filled);
        filled += n;
        return piece.subarray(n);
      };
      // 1. Fill the part: first the carried bytes, then from the stream.
      const pending = carry;
      carry = [];
      for (const piece of pending) {
        const rest = take(piece);
        if (rest.byteLength > 0) carry.push(rest);
      }
      while (part.start + filled < part.end) {
        const piece = await read();
        if (!piece) throw new RangeError('The ciphertext ended early.');
        const rest = take(piece);
        if (rest.byteLength > 0) carry.push(rest);
      }
      const bytes = part.buffer.subarray(0, part.end - part.start);
      part.check.update(bytes);
      // 2. Complete the check digest: the bytes after the part up to the end of its last chunk.
      let checked = part.end;
      for (const piece of carry) {
        if (checked >= part.checkEnd) break;
        const n = Math.min(piece.byteLength, part.checkEnd - checked);
        part.check.update(piece.subarray(0, n));
        checked += n;
      }
      while (checked < part.checkEnd) {
        const piece = await read();
        if (!piece) throw new RangeError('The ciphertext ended early.');
        carry.push(piece);
        const n = Math.min(piece.byteLength, part.checkEnd - checked);
        part.check.update(piece.subarray(0, n));
        checked += n;
      }
      const buffer = part.buffer;
      let released = false;
      yield {
        partNumber,
        start: part.start,
        bytes,
        check: part.check.digest(),
        release: () => {
          if (released) return;
          released = true;
          buffers.release(buffer);
        },
      };
    }
    if (carry.some((piece) => piece.byteLength > 0) || (await read()) !== undefined) {
      throw new RangeError(`The ciphertext is longer than ${ciphertextSize} bytes.`);
    }
    finished = true;
  } finally {
    if (!finished) await reader.cancel().catch(() => undefined);
    reader.releaseLock();
  }
}

/**
 * Cuts a byte stream into parts of exactly `partSize` bytes (the last one shorter), each a fresh
 * buffer. Holds one part in memory at a time; the consumer decides how many it keeps in flight.
 * Stopping early (break, throw) cancels the source. (The upload itself uses cutParts: pooled
 * buffers and check digests.)
 */
export async function* splitIntoParts(
  stream: ReadableStream<Uint8Array>,
  partSize: number,
): AsyncGenerator<Uint8Array<ArrayBuffer>, void, undefined> {
  if (!Number.isSafeInteger(partSize) || partSize <= 0) throw new RangeError(`invalid part size ${partSize}`);
  const reader = stream.getReader();
  let part = new Uint8Array(partSize);
  let filled = 0;
  let finished = false;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      let offset = 0;
      while (offset < value.byteLength) {
        const n = Math.min(partSize - filled, value.byteLength - offset);
        part.set(value.subarray(offset, offset + n), filled);
        filled += n;
        offset += n;
        if (filled === partSize) {
          yield part;
          part = new Uint8Array(partSize);
          filled = 0;
        }
      }
    }
    finished = true;
    if (filled > 0) yield part.slice(0, filled);
  } finally {
    if (!finished) await reader.cancel().catch(() => undefined);
    reader.releaseLock();
  }
}

import { createSHA256, type IHasher } from 'hash-wasm';
import { ValidationFailed } from '../errors/index.js';
import { toBase64Url } from './base64url.js';
import { assertBytes } from './inputChecks.js';
import { HEADER_SIZE } from './streamHeader.js';
import { chunkOffset, ENCRYPTED_CHUNK_SIZE, plaintextSize, TAG_SIZE } from './streamSizes.js';

/** Length of a digest in base64url: 32 bytes of SHA-256, unpadded. */
export const DIGEST_LENGTH = 43;

/**
 * The ciphertext digest of a v1 stream (docs/envelope-format.md "Ciphertext digest"):
 *
 *   digest = base64url(SHA-256(header || tag_0 || tag_1 || … || tag_last))
 *
 * Incremental and position-aware: it is fed the ciphertext bytes in order, starting at the
 * absolute offset `offset`, and knows the stream's total size, so it knows where the header
 * and each chunk's 16-byte tag lie (chunk i spans [chunkOffset(i), chunkOffset(i) + 1048592),
 * and the final chunk ends at the total size). It hashes only those bytes: 16 per MiB.
 *
 * Why it commits to the whole ciphertext: each tag authenticates its chunk (body, index,
 * last flag, header, document and version) under the stream key, so a different object of
 * the same size has different tags, and a different size changes where the tags are.
 *
 *   - whole stream: `TagDigest.create(size)`, fed bytes 0..size, then `digest()`;
 *   - one part of a multipart upload: `TagDigest.create(size, partStart)`, fed just that
 *     part's bytes, then `digest()` (the digest of the header and tag bytes inside the part).
 *
 * Misuse is ValidationFailed: an impossible total size, an offset outside it, bytes fed past
 * the total, or use after digest().
 */
export class TagDigest {
  readonly ciphertextSize: number;
  readonly offset: number;
  readonly #hasher: IHasher;
  #position: number;
  #done = false;

  private constructor(hasher: IHasher, ciphertextSize: number, offset: number) {
    this.#hasher = hasher;
    this.ciphertextSize = ciphertextSize;
    this.offset = offset;
    this.#position = offset;
  }

  /** A digest of the stream of `ciphertextSize` bytes, to be fed from absolute byte `offset` on. */
  static async create(ciphertextSize: number, offset = 0): Promise<TagDigest> {
    assertCiphertextSize(ciphertextSize);
    if (typeof offset !== 'number' || !Number.isSafeInteger(offset) || offset < 0 || offset > ciphertextSize) {
      throw new ValidationFailed(`The digest offset must be an integer from 0 to the ciphertext size (${ciphertextSize}).`);
    }
    return new TagDigest(await createSHA256(), ciphertextSize, offset);
  }

  /** Absolute offset of the next byte to feed. */
  get position(): number {
    return this.#position;
  }

  /** Feeds the next bytes of the ciphertext (at `position`); hashes those that are header or tag. */
  update(bytes: Uint8Array): this {
    if (this.#done) throw new ValidationFailed('The digest was already computed: create a new TagDigest.');
    assertBytes(bytes, 'Each ciphertext piece');
    const start = this.#position;
    const end = start + bytes.length;
    if (end > this.ciphertextSize) {
      throw new ValidationFailed(`The ciphertext is ${this.ciphertextSize} bytes: ${end - this.ciphertextSize} bytes were fed past its end.`);
    }
    let cursor = start;
    while (cursor < end) {
      const [regionStart, regionEnd] = this.#hashedRegionAt(cursor);
      const from = Math.max(cursor, regionStart);
      if (from >= end) break;
      const to = Math.min(regionEnd, end);
      this.#hasher.update(bytes.subarray(from - start, to - start));
      cursor = to;
    }
    this.#position = end;
    return this;
  }

  /** The digest of the header and tag bytes fed so far, base64url (43 characters). Once only. */
  digest(): string {
    if (this.#done) throw new ValidationFailed('The digest was already computed: create a new TagDigest.');
    this.#done = true;
    return toBase64Url(this.#hasher.digest('binary'));
  }

  /** The hashed region (header, or the tag of the chunk holding `at`) that contains or follows `at`. */
  #hashedRegionAt(at: number): [number, number] {
    if (at < HEADER_SIZE) return [0, HEADER_SIZE];
    const index = Math.floor((at - HEADER_SIZE) / ENCRYPTED_CHUNK_SIZE);
    const chunkEnd = Math.min(chunkOffset(index) + ENCRYPTED_CHUNK_SIZE, this.ciphertextSize);
    return [chunkEnd - TAG_SIZE, chunkEnd];
  }
}

/** ValidationFailed unless `size` is the exact size of some stream (so the tag positions are known). */
export function assertCiphertextSize(size: unknown): asserts size is number {
  try {
    plaintextSize(size as number); // a non-negative integer that some stream has
  } catch {
    throw new ValidationFailed('The ciphertext size must be the exact size of a Coffer stream.');
  }
}

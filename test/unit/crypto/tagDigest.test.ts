import { createHash } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { concatBytes } from '../../../shared/core/crypto/bytes.js';
import { generateDataKey } from '../../../shared/core/crypto/dataKey.js';
import { digestStream } from '../../../shared/core/crypto/digestStream.js';
import { encryptStream } from '../../../shared/core/crypto/encryptStream.js';
import { encryptBytes } from '../../../shared/core/crypto/streamBytes.js';
import { CHUNK_SIZE, ciphertextSize } from '../../../shared/core/crypto/streamSizes.js';
import { DIGEST_LENGTH, TagDigest } from '../../../shared/core/crypto/tagDigest.js';
import { counterPattern, expectValidationFailed, flipBit, piecesOf, readAll } from './support.js';

const MiB = CHUNK_SIZE;
const ctx = { documentId: 'AAECAwQFBgcICQoLDA0ODw', version: 1 };
const dek = generateDataKey();

// The layout, written out from the spec rather than imported: 38-byte header, chunks of 1 MiB + 16.
const HEADER = 38;
const SEALED_CHUNK = 1048576 + 16;

/** The [start, end) ranges a digest hashes: the header and each chunk's last 16 bytes. */
function hashedRegions(total: number): [number, number][] {
  const regions: [number, number][] = [[0, HEADER]];
  for (let start = HEADER; start < total; start += SEALED_CHUNK) {
    const end = Math.min(start + SEALED_CHUNK, total);
    regions.push([end - 16, end]);
  }
  return regions;
}

/** Independent digest with node:crypto: SHA-256 of the header and tag bytes inside [from, to). */
function expectedDigest(stream: Uint8Array, from = 0, to = stream.length): string {
  const hash = createHash('sha256');
  for (const [start, end] of hashedRegions(stream.length)) {
    const a = Math.max(start, from);
    const b = Math.min(end, to);
    if (a < b) hash.update(stream.subarray(a, b));
  }
  return hash.digest('base64url');
}

/** Feeds `bytes` to a fresh TagDigest in pieces of the given sizes (cycled). */
async function digestOf(stream: Uint8Array, sizes: readonly number[], from = 0, to = stream.length): Promise<string> {
  const digest = await TagDigest.create(stream.length, from);
  let offset = from;
  for (let turn = 0; offset < to; turn++) {
    const next = Math.min(to, offset + sizes[turn % sizes.length]!);
    digest.update(stream.subarray(offset, next));
    offset = next;
  }
  return digest.digest();
}

let stream: Uint8Array; // 4 chunks: 3 x 1 MiB and 100 bytes

beforeAll(async () => {
  stream = await encryptBytes(dek, ctx, counterPattern(3 * MiB + 100));
});

describe('TagDigest', () => {
  it.each([
    ['an empty document', 0],
    ['1 byte', 1],
    ['exactly 1 MiB (a full final chunk)', MiB],
    ['1 MiB + 1 (a final chunk of 1 byte)', MiB + 1],
    ['2 MiB + 17', 2 * MiB + 17],
  ])('equals SHA-256(header || tags) computed independently: %s', async (_name, size) => {
    // Prepare
    const ciphertext = await encryptBytes(dek, ctx, counterPattern(size));

    // Act
    const digest = await digestOf(ciphertext, [ciphertext.length]);

    // Assess
    expect(digest).toHaveLength(DIGEST_LENGTH);
    expect(digest).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(digest).toBe(expectedDigest(ciphertext));
  });

  it('gives the same digest whatever the piece sizes, including pieces that split the header and tags', async () => {
    // Act
    const whole = await digestOf(stream, [stream.length]);
    const odd = await digestOf(stream, [1, 7, 30, 8, MiB + 3, 5, 11, 999_983]);
    const bytewiseAroundTags = await digestOf(stream, [SEALED_CHUNK - 3, 1, 1, 1, 1, 1, 1, 1]);

    // Assess
    expect(odd).toBe(whole);
    expect(bytewiseAroundTags).toBe(whole);
    expect(whole).toBe(expectedDigest(stream));
  });

  it('accepts empty pieces', async () => {
    // Prepare
    const digest = await TagDigest.create(stream.length);

    // Act
    digest.update(new Uint8Array(0)).update(stream).update(new Uint8Array(0));

    // Assess
    expect(digest.digest()).toBe(expectedDigest(stream));
  });

  it('hashes only the header and the tags: a flipped body byte keeps the digest (the tag then fails to open)', async () => {
    // Act
    const tamperedBody = await digestOf(flipBit(stream, HEADER + SEALED_CHUNK + 5000), [65536]);
    const tamperedTag = await digestOf(flipBit(stream, HEADER + SEALED_CHUNK - 1), [65536]);
    const tamperedHeader = await digestOf(flipBit(stream, 20), [65536]);

    // Assess
    expect(tamperedBody).toBe(expectedDigest(stream));
    expect(tamperedTag).not.toBe(expectedDigest(stream));
    expect(tamperedHeader).not.toBe(expectedDigest(stream));
  });

  it('differs for another upload of the same plaintext (fresh salt, so fresh tags)', async () => {
    // Prepare
    const again = await encryptBytes(dek, ctx, counterPattern(3 * MiB + 100));

    // Act / Assess
    expect(await digestOf(again, [MiB])).not.toBe(await digestOf(stream, [MiB]));
  });

  it('differs for the same stream with its last chunk dropped', async () => {
    // Prepare: 3 full chunks, a size some stream can have.
    const truncated = stream.subarray(0, HEADER + 3 * SEALED_CHUNK);

    // Act / Assess
    expect(await digestOf(truncated, [MiB])).not.toBe(await digestOf(stream, [MiB]));
  });

  describe('per part (from an offset, fed only the part)', () => {
    it('equals the independent digest of the header and tag bytes inside parts aligned as uploads cut them', async () => {
      // Prepare: parts of k = 1 chunk; part 1 also carries the header (docs/versions.md "Large files").
      const bounds = [0, HEADER + SEALED_CHUNK, HEADER + 2 * SEALED_CHUNK, HEADER + 3 * SEALED_CHUNK, stream.length];

      for (let part = 0; part + 1 < bounds.length; part++) {
        const [from, to] = [bounds[part]!, bounds[part + 1]!];
        // Act
        const digest = await digestOf(stream, [4096, 77], from, to);
        // Assess
        expect(digest).toBe(expectedDigest(stream, from, to));
      }
    });

    it('knows where the tags are when a part starts or ends inside one', async () => {
      // Prepare: odd boundaries, inside the header, inside tag 0 and inside the final tag.
      const bounds = [0, 20, HEADER + SEALED_CHUNK - 7, HEADER + 2 * SEALED_CHUNK + 100, stream.length - 3, stream.length];

      for (let part = 0; part + 1 < bounds.length; part++) {
        const [from, to] = [bounds[part]!, bounds[part + 1]!];
        // Act
        const digest = await digestOf(stream, [3, 65536], from, to);
        // Assess
        expect(digest).toBe(expectedDigest(stream, from, to));
      }
    });

    it('gives different digests to parts with the same bytes at different offsets', async () => {
      // Prepare: a part that is 10 bytes long; at offset 60 it holds no tag byte, at the end it holds 10.
      const bytes = stream.subarray(stream.length - 10);
      const inBody = await TagDigest.create(stream.length, 60);
      const atEnd = await TagDigest.create(stream.length, stream.length - 10);

      // Act
      const a = inBody.update(bytes).digest();
      const b = atEnd.update(bytes).digest();

      // Assess
      expect(a).toBe(createHash('sha256').digest('base64url')); // nothing hashed
      expect(b).toBe(createHash('sha256').update(bytes).digest('base64url'));
    });
  });

  describe('misuse', () => {
    it.each([
      ['0', 0],
      ['a header alone (38)', 38],
      ['a final chunk shorter than a tag', 38 + 15],
      ['an empty chunk after a full one', 38 + SEALED_CHUNK + 16],
      ['a negative size', -54],
      ['a fraction', 54.5],
      ['NaN', Number.NaN],
      ['a string', '54'],
    ])('refuses an impossible ciphertext size: %s', async (_name, size) => {
      await expectValidationFailed(TagDigest.create(size as number), /exact size of a Coffer stream/);
    });

    it.each([
      ['negative', -1],
      ['past the end', 55],
      ['a fraction', 1.5],
    ])('refuses an offset that is %s', async (_name, offset) => {
      await expectValidationFailed(TagDigest.create(54, offset), /offset must be an integer from 0 to the ciphertext size \(54\)/);
    });

    it('refuses bytes fed past the total, and keeps its state', async () => {
      // Prepare
      const digest = await TagDigest.create(stream.length);
      digest.update(stream);

      // Act / Assess
      await expectValidationFailed(() => digest.update(Uint8Array.of(0)), /1 bytes were fed past its end/);
      expect(digest.position).toBe(stream.length);
      expect(digest.digest()).toBe(expectedDigest(stream));
    });

    it('refuses a part fed past the total from its offset', async () => {
      const digest = await TagDigest.create(stream.length, stream.length - 5);
      await expectValidationFailed(() => digest.update(new Uint8Array(6)), /fed past its end/);
    });

    it('refuses use after digest()', async () => {
      // Prepare
      const digest = await TagDigest.create(54);
      digest.update(new Uint8Array(54));
      digest.digest();

      // Act / Assess
      await expectValidationFailed(() => digest.digest(), /already computed/);
      await expectValidationFailed(() => digest.update(new Uint8Array(0)), /already computed/);
    });

    it('refuses a piece that is not bytes', async () => {
      const digest = await TagDigest.create(54);
      await expectValidationFailed(() => digest.update('abc' as unknown as Uint8Array), /must be a Uint8Array/);
    });
  });
});

describe('digestStream', () => {
  it('passes the ciphertext through unchanged and resolves its digest', async () => {
    // Prepare
    const { stream: pass, digest } = digestStream(stream.length);

    // Act
    const out = await readAll(piecesOf(stream, [7, 65536, MiB + 1]).pipeThrough(pass));

    // Assess
    expect(Buffer.from(out).equals(Buffer.from(stream))).toBe(true);
    expect(await digest).toBe(expectedDigest(stream));
  });

  it('digests an encryption on the way (what an uploader sends at completion)', async () => {
    // Prepare
    const plaintext = counterPattern(MiB + 5);
    const { stream: pass, digest } = digestStream(ciphertextSize(plaintext.length));

    // Act
    const ciphertext = await readAll(piecesOf(plaintext, [300_000]).pipeThrough(encryptStream(dek, ctx)).pipeThrough(pass));

    // Assess
    expect(await digest).toBe(expectedDigest(ciphertext));
  });

  it('errors the stream and rejects the digest when the input is shorter than the size', async () => {
    // Prepare
    const { stream: pass, digest } = digestStream(stream.length);

    // Act / Assess
    await expectValidationFailed(readAll(piecesOf(stream.subarray(0, stream.length - 1), [MiB]).pipeThrough(pass)), /ended after/);
    await expectValidationFailed(digest, /ended after \d+ of its \d+ bytes/);
  });

  it('errors the stream and rejects the digest when the input is longer than the size', async () => {
    // Prepare
    const { stream: pass, digest } = digestStream(stream.length);

    // Act / Assess
    await expectValidationFailed(readAll(piecesOf(concatBytes(stream, Uint8Array.of(1)), [MiB]).pipeThrough(pass)), /fed past its end/);
    await expectValidationFailed(digest, /fed past its end/);
  });

  it('refuses an impossible size at once', async () => {
    await expectValidationFailed(() => digestStream(38 + 15), /exact size of a Coffer stream/);
  });
});

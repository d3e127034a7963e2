import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { concatBytes } from '../../../shared/core/crypto/bytes.js';
import { generateDataKey } from '../../../shared/core/crypto/dataKey.js';
import { decryptRange } from '../../../shared/core/crypto/decryptRange.js';
import { planRange, type RangePlan } from '../../../shared/core/crypto/planRange.js';
import { encryptBytes } from '../../../shared/core/crypto/streamBytes.js';
import { CHUNK_SIZE, chunkOffset, HEADER_SIZE } from '../../../shared/core/crypto/streamSizes.js';
import { UNSAFE_sealRawStreamForTests } from '../../../shared/core/crypto/testSeams.js';
import { counterPattern, expectDecryptionFailed, expectValidationFailed, flipBit, piecesOf, readAll, sha256Hex } from './support.js';

const MiB = CHUNK_SIZE;
const ctx = { documentId: 'AAECAwQFBgcICQoLDA0ODw', version: 2 };
const dek = generateDataKey();
const plaintext = counterPattern(3 * MiB + 100).map((b, i) => b ^ (i >>> 8)); // 4 chunks; no two chunks alike
let stream: Uint8Array;
let exact: Uint8Array; // exactly 2 MiB: the final chunk is full

beforeAll(async () => {
  [stream, exact] = await Promise.all([encryptBytes(dek, ctx, plaintext), encryptBytes(dek, ctx, plaintext.subarray(0, 2 * MiB))]);
});

afterEach(() => {
  vi.restoreAllMocks();
});

/** What a ranged download does: the header, then just the planned bytes, in odd pieces. */
function readRange(
  source: Uint8Array,
  plan: RangePlan,
  { body = source.subarray(plan.ciphertextStart, plan.ciphertextEnd), header = source.subarray(0, HEADER_SIZE), key = dek, context = ctx } = {},
): Promise<Uint8Array> {
  return readAll(piecesOf(body, [7, 65536, MiB + 3]).pipeThrough(decryptRange(key, context, header, plan)));
}

describe('decryptRange', () => {
  it.each([
    ['the first byte', 0, 1],
    ['the first chunk', 0, MiB],
    ['a slice inside a middle chunk', MiB + 5, MiB + 70_000],
    ['a middle chunk exactly', MiB, 2 * MiB],
    ['a slice across three chunks', MiB - 10, 3 * MiB + 10],
    ['the last byte', 3 * MiB + 99, 3 * MiB + 100],
    ['the last chunk', 3 * MiB, 3 * MiB + 100],
    ['the whole document', 0, 3 * MiB + 100],
  ])('returns exactly the plaintext slice: %s', async (_name, start, end) => {
    // Prepare
    const plan = planRange(stream.length, start, end);

    // Act
    const slice = await readRange(stream, plan);

    // Assess
    expect(slice).toHaveLength(end - start);
    expect(sha256Hex(slice)).toBe(sha256Hex(plaintext.subarray(start, end)));
  });

  it('opens a full final chunk as final (a document of exactly 2 MiB)', async () => {
    const plan = planRange(exact.length, MiB + 1, 2 * MiB);
    expect(sha256Hex(await readRange(exact, plan))).toBe(sha256Hex(plaintext.subarray(MiB + 1, 2 * MiB)));
  });

  it('rejects a tampered chunk body', async () => {
    const plan = planRange(stream.length, MiB + 5, 2 * MiB + 5);
    await expectDecryptionFailed(readRange(flipBit(stream, chunkOffset(2) + 1000), plan));
  });

  it('rejects a tampered tag', async () => {
    const plan = planRange(stream.length, 0, 10);
    await expectDecryptionFailed(readRange(flipBit(stream, chunkOffset(1) - 1), plan));
  });

  it('rejects a tampered header', async () => {
    const plan = planRange(stream.length, MiB, MiB + 1);
    await expectDecryptionFailed(readRange(stream, plan, { header: flipBit(stream.subarray(0, HEADER_SIZE), 30) }));
  });

  it('rejects a chunk served from another offset (chunk 2 where chunk 1 was asked for)', async () => {
    // Prepare
    const plan = planRange(stream.length, MiB, MiB + 10);

    // Act / Assess
    await expectDecryptionFailed(readRange(stream, plan, { body: stream.subarray(chunkOffset(2), chunkOffset(3)) }));
  });

  it('rejects chunks of another stream of the same document under the same key (another upload)', async () => {
    // Prepare: the same plaintext uploaded again (fresh salt); its chunks with our header.
    const again = await encryptBytes(dek, ctx, plaintext);
    const plan = planRange(stream.length, 0, MiB);

    // Act / Assess
    await expectDecryptionFailed(readRange(stream, plan, { body: again.subarray(plan.ciphertextStart, plan.ciphertextEnd) }));
  });

  it('rejects a range cut short, at a chunk boundary or inside the final chunk', async () => {
    const plan = planRange(stream.length, MiB - 10, 3 * MiB + 50);
    await expectDecryptionFailed(readRange(stream, plan, { body: stream.subarray(plan.ciphertextStart, chunkOffset(3)) }));
    await expectDecryptionFailed(readRange(stream, plan, { body: stream.subarray(plan.ciphertextStart, plan.ciphertextEnd - 1) }));
    await expectDecryptionFailed(readRange(stream, plan, { body: new Uint8Array(0) }));
  });

  it('rejects bytes beyond the planned range, before opening the chunk they follow', async () => {
    // Prepare
    const plan = planRange(stream.length, 0, 10);
    const decrypt = vi.spyOn(crypto.subtle, 'decrypt');

    // Act / Assess
    await expectDecryptionFailed(readRange(stream, plan, { body: stream.subarray(plan.ciphertextStart, plan.ciphertextEnd + 1) }));
    expect(decrypt).not.toHaveBeenCalled();
  });

  it('rejects a stream truncated at a chunk boundary whose size was claimed to match (the last flag)', async () => {
    // Prepare: the first 3 full chunks of a 4-chunk stream; 38 + 3 chunks is a possible size.
    const truncated = stream.subarray(0, chunkOffset(3));
    const plan = planRange(truncated.length, 3 * MiB - 10, 3 * MiB);

    // Act / Assess
    expect(plan.includesFinalChunk).toBe(true);
    await expectDecryptionFailed(readRange(truncated, plan));
  });

  it('rejects a stream extended with a chunk whose size was claimed to match (the last flag)', async () => {
    // Prepare: a 2-chunk stream whose real final chunk is asked for as a middle one.
    const sealed = await UNSAFE_sealRawStreamForTests(dek, ctx, new Uint8Array(32).fill(3), [
      { index: 0, last: false, plaintext: counterPattern(MiB) },
      { index: 1, last: true, plaintext: counterPattern(MiB) },
    ]);
    const claimed = concatBytes(sealed, new Uint8Array(17)); // a 3rd chunk of 1 byte, invented
    const plan = planRange(claimed.length, MiB, MiB + 10);

    // Act / Assess
    expect(plan.includesFinalChunk).toBe(false);
    await expectDecryptionFailed(readRange(claimed, plan));
  });

  it('rejects the wrong key, document or version', async () => {
    const plan = planRange(stream.length, 10, 20);
    await expectDecryptionFailed(readRange(stream, plan, { key: generateDataKey() }));
    await expectDecryptionFailed(readRange(stream, plan, { context: { ...ctx, documentId: 'EBESExQVFhcYGRobHB0eHw' } }));
    await expectDecryptionFailed(readRange(stream, plan, { context: { ...ctx, version: 1 } }));
  });

  it.each([
    ['too short', (h: Uint8Array) => h.subarray(0, 37)],
    ['too long', (h: Uint8Array) => concatBytes(h, Uint8Array.of(0))],
    ['of a wrong magic', (h: Uint8Array) => flipBit(h, 0)],
    ['with non-zero flags', (h: Uint8Array) => flipBit(h, 5)],
  ])('rejects a header %s before any crypto', async (_name, header) => {
    // Prepare
    const derive = vi.spyOn(crypto.subtle, 'deriveKey');
    const decrypt = vi.spyOn(crypto.subtle, 'decrypt');
    const plan = planRange(stream.length, 0, 1);

    // Act / Assess
    await expectDecryptionFailed((async () => decryptRange(dek, ctx, header(stream.subarray(0, HEADER_SIZE)), plan))());
    expect(derive).not.toHaveBeenCalled();
    expect(decrypt).not.toHaveBeenCalled();
  });

  it.each([
    ['a changed skip', { skip: 1 }],
    ['a changed first chunk', { firstChunk: 1 }],
    ['a final chunk that is not', { includesFinalChunk: true }],
    ['a changed ciphertext end', { ciphertextEnd: 100 }],
  ])('refuses a plan not made by planRange: %s', async (_name, change) => {
    const plan = { ...planRange(stream.length, 0, 10), ...change };
    await expectValidationFailed(() => decryptRange(dek, ctx, stream.subarray(0, HEADER_SIZE), plan), /does not match planRange/);
  });

  it('refuses a DEK that is not 32 bytes and a bad context', async () => {
    const plan = planRange(stream.length, 0, 10);
    const header = stream.subarray(0, HEADER_SIZE);
    await expectValidationFailed(() => decryptRange(new Uint8Array(16), ctx, header, plan), /exactly 32 bytes/);
    await expectValidationFailed(() => decryptRange(dek, { documentId: '', version: 1 }, header, plan), /document id/);
  });
});

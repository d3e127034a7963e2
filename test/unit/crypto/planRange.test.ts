import { describe, expect, it } from 'vitest';
import { planRange } from '../../../shared/core/crypto/planRange.js';
import { CHUNK_SIZE, ciphertextSize } from '../../../shared/core/crypto/streamSizes.js';
import { expectValidationFailed } from './support.js';

const MiB = CHUNK_SIZE;
// Written out from the spec: chunk i starts at 38 + i * (1 MiB + 16).
const at = (i: number) => 38 + i * (MiB + 16);
const size4 = ciphertextSize(3 * MiB + 100); // 4 chunks, the last of 100 bytes

describe('planRange', () => {
  it.each([
    ['the first byte', 0, 1, { firstChunk: 0, lastChunk: 0, ciphertextStart: at(0), ciphertextEnd: at(1), includesFinalChunk: false, skip: 0 }],
    ['the first chunk exactly', 0, MiB, { firstChunk: 0, lastChunk: 0, ciphertextStart: at(0), ciphertextEnd: at(1), includesFinalChunk: false, skip: 0 }],
    ['a slice inside chunk 1', MiB + 5, MiB + 10, { firstChunk: 1, lastChunk: 1, ciphertextStart: at(1), ciphertextEnd: at(2), includesFinalChunk: false, skip: 5 }],
    ['a slice across chunks 0-2', MiB - 1, 2 * MiB + 1, { firstChunk: 0, lastChunk: 2, ciphertextStart: at(0), ciphertextEnd: at(3), includesFinalChunk: false, skip: MiB - 1 }],
    ['the last byte', 3 * MiB + 99, 3 * MiB + 100, { firstChunk: 3, lastChunk: 3, ciphertextStart: at(3), ciphertextEnd: size4, includesFinalChunk: true, skip: 99 }],
    ['everything', 0, 3 * MiB + 100, { firstChunk: 0, lastChunk: 3, ciphertextStart: at(0), ciphertextEnd: size4, includesFinalChunk: true, skip: 0 }],
  ])('plans %s', (_name, start, end, expected) => {
    // Act
    const plan = planRange(size4, start, end);

    // Assess
    expect(plan).toEqual({ ciphertextSize: size4, start, end, length: end - start, ...expected });
  });

  it('includes the final chunk when it is full (a document of exactly 2 MiB)', () => {
    // Prepare
    const size = ciphertextSize(2 * MiB);

    // Act
    const plan = planRange(size, 2 * MiB - 1, 2 * MiB);

    // Assess
    expect(plan).toMatchObject({ firstChunk: 1, lastChunk: 1, ciphertextStart: at(1), ciphertextEnd: at(2), includesFinalChunk: true });
    expect(plan.ciphertextEnd).toBe(size);
  });

  it.each([
    ['an empty range', 10, 10, /empty or reversed/],
    ['a reversed range', 11, 10, /empty or reversed/],
    ['a range past the end', 0, 3 * MiB + 101, /past the end of the document \(3145828 bytes\)/],
    ['a negative start', -1, 10, /start must be a non-negative integer/],
    ['a fractional end', 0, 1.5, /end must be a non-negative integer/],
    ['a string start', '0', 10, /start must be a non-negative integer/],
  ])('refuses %s', async (_name, start, end, message) => {
    await expectValidationFailed(() => planRange(size4, start as number, end), message);
  });

  it('refuses every range of an empty document', async () => {
    await expectValidationFailed(() => planRange(ciphertextSize(0), 0, 1), /past the end of the document \(0 bytes\)/);
    await expectValidationFailed(() => planRange(ciphertextSize(0), 0, 0), /empty/);
  });

  it('refuses an impossible ciphertext size', async () => {
    await expectValidationFailed(() => planRange(38 + MiB + 16 + 5, 0, 1), /exact size of a Coffer stream/);
  });
});

import { describe, expect, it } from 'vitest';
import {
  CHUNK_SIZE,
  chunkCount,
  chunkOffset,
  ciphertextSize,
  ENCRYPTED_CHUNK_SIZE,
  HEADER_SIZE,
  plaintextSize,
} from '../../../shared/core/crypto/streamSizes.js';
import { expectValidationFailed } from './support.js';

describe('ciphertextSize', () => {
  it.each([
    [0, 38 + 16],
    [1, 38 + 1 + 16],
    [CHUNK_SIZE - 1, 38 + CHUNK_SIZE - 1 + 16],
    [CHUNK_SIZE, 38 + CHUNK_SIZE + 16],
    [CHUNK_SIZE + 1, 38 + CHUNK_SIZE + 1 + 32],
    [20 * CHUNK_SIZE, 38 + 20 * CHUNK_SIZE + 20 * 16],
  ])('maps %i plaintext bytes to %i', (plain, cipher) => {
    expect(ciphertextSize(plain)).toBe(cipher);
  });

  it('rejects a negative size', async () => {
    await expectValidationFailed(() => ciphertextSize(-1), /non-negative integer/);
  });
});

describe('plaintextSize', () => {
  it('inverts ciphertextSize around every chunk boundary', () => {
    for (const chunks of [0, 1, 2, 7]) {
      for (const delta of [-2, -1, 0, 1, 2]) {
        const plain = Math.max(0, chunks * CHUNK_SIZE + delta);
        expect(plaintextSize(ciphertextSize(plain))).toBe(plain);
      }
    }
  });

  it.each([
    ['no bytes at all', 0],
    ['a header alone', HEADER_SIZE],
    ['a final chunk shorter than a tag', HEADER_SIZE + 15],
    ['an empty chunk after a full one', HEADER_SIZE + ENCRYPTED_CHUNK_SIZE + 16],
    ['a partial tag after a full chunk', HEADER_SIZE + ENCRYPTED_CHUNK_SIZE + 5],
  ])('rejects an impossible size: %s', async (_name, size) => {
    await expectValidationFailed(() => plaintextSize(size), /No Coffer stream has this ciphertext size/);
  });
});

describe('chunkOffset', () => {
  it('places chunk i after the header and i full encrypted chunks', () => {
    expect(HEADER_SIZE).toBe(38);
    expect(chunkOffset(0)).toBe(38);
    expect(chunkOffset(3)).toBe(38 + 3 * (CHUNK_SIZE + 16));
  });

  it('rejects a negative index', async () => {
    await expectValidationFailed(() => chunkOffset(-1), /chunk index must be an integer/);
  });
});

describe('chunkCount', () => {
  it('counts one chunk for an empty plaintext', () => {
    expect(chunkCount(0)).toBe(1);
    expect(chunkCount(CHUNK_SIZE)).toBe(1);
    expect(chunkCount(CHUNK_SIZE + 1)).toBe(2);
  });
});

import { afterEach, describe, expect, it, vi } from 'vitest';
import { generateDataKey } from '../../../shared/core/crypto/dataKey.js';
import { encryptStream } from '../../../shared/core/crypto/encryptStream.js';
import { UNSAFE_encryptStreamWithHeader } from '../../../shared/core/crypto/encryptStreamWithHeader.js';
import { decryptBytes } from '../../../shared/core/crypto/streamBytes.js';
import { HEADER_SIZE, readStreamHeader } from '../../../shared/core/crypto/streamHeader.js';
import { CHUNK_SIZE, chunkOffset, ENCRYPTED_CHUNK_SIZE } from '../../../shared/core/crypto/streamSizes.js';
import { counterPattern, expectDecryptionFailed, expectValidationFailed, flipBit, piecesOf, readAll, sha256Hex } from './support.js';

const MiB = CHUNK_SIZE;
const ctx = { documentId: 'AAECAwQFBgcICQoLDA0ODw', version: 3 };
const dek = generateDataKey();
const plaintext = counterPattern(3 * MiB + 4321);

afterEach(() => {
  vi.restoreAllMocks();
});

/** Encrypts with a fresh salt and returns the ciphertext and the first piece the stream emitted. */
async function original(bytes: Uint8Array): Promise<{ ciphertext: Uint8Array; firstPiece: Uint8Array }> {
  const pieces: Uint8Array[] = [];
  for await (const piece of piecesOf(bytes, [MiB]).pipeThrough(encryptStream(dek, ctx)) as unknown as AsyncIterable<Uint8Array>) pieces.push(piece);
  return { ciphertext: Buffer.concat(pieces), firstPiece: pieces[0]! };
}

describe('UNSAFE_encryptStreamWithHeader', () => {
  it('re-makes the original ciphertext byte for byte from the same header and plaintext (resume)', async () => {
    // Prepare
    const { ciphertext, firstPiece } = await original(plaintext);
    const header = readStreamHeader(firstPiece);

    // Act: other piece sizes, as a resumed read of the file would give.
    const resumed = await readAll(piecesOf(plaintext, [1, 65537, 3 * MiB]).pipeThrough(UNSAFE_encryptStreamWithHeader(dek, ctx, header)));

    // Assess
    expect(firstPiece).toHaveLength(HEADER_SIZE);
    expect(resumed).toHaveLength(ciphertext.length);
    expect(sha256Hex(resumed)).toBe(sha256Hex(ciphertext));
  });

  it('HAZARD: different plaintext under the same header reuses the keystream (why the caller must check identity first)', async () => {
    // Prepare: the file changed in one byte of chunk 1.
    const { ciphertext } = await original(plaintext);
    const changed = flipBit(plaintext, MiB + 10);

    // Act
    const reused = await readAll(piecesOf(changed, [MiB]).pipeThrough(UNSAFE_encryptStreamWithHeader(dek, ctx, readStreamHeader(ciphertext))));

    // Assess: the ciphertexts differ (a journal's part digests catch it) ...
    expect(sha256Hex(reused)).not.toBe(sha256Hex(ciphertext));
    // ... chunk 0 is identical (same key, same nonce, same bytes) ...
    const chunk0 = [chunkOffset(0), chunkOffset(1)] as const;
    expect(sha256Hex(reused.subarray(...chunk0))).toBe(sha256Hex(ciphertext.subarray(...chunk0)));
    // ... and in chunk 1 the XOR of the ciphertexts is the XOR of the plaintexts: nonce reuse.
    const body1 = chunkOffset(1);
    for (let i = 0; i < CHUNK_SIZE; i += 4099) {
      expect(reused[body1 + i]! ^ ciphertext[body1 + i]!).toBe(changed[MiB + i]! ^ plaintext[MiB + i]!);
    }
    expect(reused[body1 + 10]! ^ ciphertext[body1 + 10]!).toBe(0x01);
    // ... and the tag of chunk 1 changed.
    const tag1 = [chunkOffset(1) + ENCRYPTED_CHUNK_SIZE - 16, chunkOffset(2)] as const;
    expect(sha256Hex(reused.subarray(...tag1))).not.toBe(sha256Hex(ciphertext.subarray(...tag1)));
  });

  it('makes a stream that decrypts normally', async () => {
    // Prepare
    const { ciphertext } = await original(plaintext);

    // Act
    const resumed = await readAll(piecesOf(plaintext, [MiB]).pipeThrough(UNSAFE_encryptStreamWithHeader(dek, ctx, readStreamHeader(ciphertext))));

    // Assess
    expect(sha256Hex(await decryptBytes(dek, ctx, resumed))).toBe(sha256Hex(plaintext));
  });

  it.each([
    ['37 bytes', () => new Uint8Array(37), /exactly 38 bytes/],
    ['39 bytes', () => new Uint8Array(39), /exactly 38 bytes/],
    ['a wrong magic', () => flipBit(validHeader(), 0), /not a v1 Coffer header/],
    ['a wrong format version', () => flipBit(validHeader(), 3), /not a v1 Coffer header/],
    ['a wrong chunk size exponent', () => flipBit(validHeader(), 4), /not a v1 Coffer header/],
    ['non-zero flags', () => flipBit(validHeader(), 5), /not a v1 Coffer header/],
    ['not bytes', () => 'CFR' as unknown as Uint8Array, /must be a Uint8Array/],
  ])('refuses a header of %s before any crypto', async (_name, header, message) => {
    // Prepare
    const derive = vi.spyOn(crypto.subtle, 'deriveKey');
    const encrypt = vi.spyOn(crypto.subtle, 'encrypt');

    // Act / Assess
    await expectValidationFailed(() => UNSAFE_encryptStreamWithHeader(dek, ctx, header()), message);
    expect(derive).not.toHaveBeenCalled();
    expect(encrypt).not.toHaveBeenCalled();
  });

  it('refuses a DEK that is not 32 bytes and a bad context', async () => {
    await expectValidationFailed(() => UNSAFE_encryptStreamWithHeader(new Uint8Array(31), ctx, validHeader()), /exactly 32 bytes/);
    await expectValidationFailed(() => UNSAFE_encryptStreamWithHeader(dek, { documentId: 'a b', version: 1 }, validHeader()), /document id/);
    await expectValidationFailed(() => UNSAFE_encryptStreamWithHeader(dek, { documentId: 'abc', version: -1 }, validHeader()), /version/);
  });
});

describe('readStreamHeader', () => {
  it('returns a copy of the first 38 bytes', async () => {
    // Prepare
    const { ciphertext } = await original(counterPattern(10));

    // Act
    const header = readStreamHeader(ciphertext);
    header[10]! ^= 1;

    // Assess
    expect(header).toHaveLength(HEADER_SIZE);
    expect(header[10]).not.toBe(ciphertext[10]);
    expect(Buffer.from(header.subarray(11)).equals(Buffer.from(ciphertext.subarray(11, HEADER_SIZE)))).toBe(true);
  });

  it.each([
    ['fewer than 38 bytes', () => validHeader().subarray(0, 37)],
    ['a wrong magic', () => flipBit(validHeader(), 1)],
    ['non-zero flags', () => flipBit(validHeader(), 5)],
  ])('refuses %s with DecryptionFailed', async (_name, bytes) => {
    await expectDecryptionFailed((async () => readStreamHeader(bytes()))());
  });
});

/** A well-formed header (magic CFR, version 1, exponent 20, flags 0, some salt). */
function validHeader(): Uint8Array {
  const header = new Uint8Array(HEADER_SIZE).fill(7);
  header.set([0x43, 0x46, 0x52, 0x01, 20, 0x00]);
  return header;
}

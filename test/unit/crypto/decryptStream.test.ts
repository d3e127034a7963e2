import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { concatBytes } from '../../../shared/core/crypto/bytes.js';
import { generateDataKey } from '../../../shared/core/crypto/dataKey.js';
import { decryptStream } from '../../../shared/core/crypto/decryptStream.js';
import { decryptBytes, encryptBytes } from '../../../shared/core/crypto/streamBytes.js';
import { CHUNK_SIZE, chunkOffset, ENCRYPTED_CHUNK_SIZE, HEADER_SIZE } from '../../../shared/core/crypto/streamSizes.js';
import { UNSAFE_sealRawStreamForTests, type RawChunk } from '../../../shared/core/crypto/testSeams.js';
import { counterPattern, expectDecryptionFailed, expectValidationFailed, flipBit, piecesOf, readAll, sha256Hex } from './support.js';

const MiB = CHUNK_SIZE;
const ctx = { documentId: 'AAECAwQFBgcICQoLDA0ODw', version: 1 };
const otherDoc = { documentId: 'EBESExQVFhcYGRobHB0eHw', version: 1 };
const otherVersion = { documentId: ctx.documentId, version: 2 };
const dek = generateDataKey();
const salt = new Uint8Array(32).fill(0x5a);
// Three chunks: 1 MiB, 1 MiB, 100 bytes.
const plaintext = counterPattern(2 * MiB + 100);

/** The chunks of `plaintext` as an honest encryptor seals them. */
const honest = (bytes: Uint8Array): RawChunk[] => {
  const chunks: RawChunk[] = [];
  for (let index = 0, offset = 0; offset < bytes.length || index === 0; index++, offset += MiB) {
    chunks.push({ index, last: offset + MiB >= bytes.length, plaintext: bytes.subarray(offset, offset + MiB) });
  }
  return chunks;
};
const chunk = (stream: Uint8Array, i: number, length = ENCRYPTED_CHUNK_SIZE) => stream.subarray(chunkOffset(i), chunkOffset(i) + length);

let stream: Uint8Array; // ctx, fixed salt
let streamOtherDoc: Uint8Array; // same DEK and salt, another document
let streamOtherVersion: Uint8Array; // same DEK and salt, another version

beforeAll(async () => {
  [stream, streamOtherDoc, streamOtherVersion] = await Promise.all([
    UNSAFE_sealRawStreamForTests(dek, ctx, salt, honest(plaintext)),
    UNSAFE_sealRawStreamForTests(dek, otherDoc, salt, honest(plaintext)),
    UNSAFE_sealRawStreamForTests(dek, otherVersion, salt, honest(plaintext)),
  ]);
});

afterEach(() => {
  vi.restoreAllMocks();
});

/** Both APIs must fail the same way: decryptBytes, and decryptStream fed in odd pieces. */
const decryptBoth = async (ciphertext: Uint8Array, context = ctx, key = dek) => {
  await expectDecryptionFailed(decryptBytes(key, context, ciphertext));
  await expectDecryptionFailed(readAll(piecesOf(ciphertext, [7, 65536, 1000001]).pipeThrough(decryptStream(key, context))));
};

describe('decryptStream', () => {
  it('decrypts the honest fixture stream', async () => {
    // Act
    const decrypted = await readAll(piecesOf(stream, [65536]).pipeThrough(decryptStream(dek, ctx)));

    // Assess
    expect(sha256Hex(decrypted)).toBe(sha256Hex(plaintext));
  });

  it.each([
    ['magic byte 0', 0],
    ['magic byte 1', 1],
    ['magic byte 2', 2],
    ['format version', 3],
    ['chunk size exponent', 4],
    ['flags', 5],
    ['first salt byte', 6],
    ['last salt byte', HEADER_SIZE - 1],
  ])('rejects a tampered header field: %s', async (_name, index) => {
    await decryptBoth(flipBit(stream, index));
  });

  it('checks the header fields before any crypto', async () => {
    // Prepare
    const derive = vi.spyOn(crypto.subtle, 'deriveKey');
    const decrypt = vi.spyOn(crypto.subtle, 'decrypt');

    // Act
    await decryptBoth(flipBit(stream, 4));

    // Assess
    expect(derive).not.toHaveBeenCalled();
    expect(decrypt).not.toHaveBeenCalled();
  });

  it.each([
    ['a byte in the body of chunk 0', HEADER_SIZE + 10],
    ['a byte in the body of chunk 1', chunkOffset(1) + 500_000],
    ['a byte in the tag of chunk 0', chunkOffset(1) - 1],
    ['a byte in the tag of the final chunk', -1],
  ])('rejects %s', async (_name, index) => {
    await decryptBoth(flipBit(stream, index < 0 ? stream.length + index : index));
  });

  it('rejects the wrong DEK', async () => {
    await decryptBoth(stream, ctx, generateDataKey());
  });

  it('rejects the wrong document id', async () => {
    await decryptBoth(stream, otherDoc);
  });

  it('rejects the wrong version', async () => {
    await decryptBoth(stream, otherVersion);
  });

  it('rejects a truncated stream (final chunk dropped)', async () => {
    await decryptBoth(stream.subarray(0, chunkOffset(2)));
  });

  it('rejects a truncated stream (cut mid-chunk)', async () => {
    await decryptBoth(stream.subarray(0, chunkOffset(1) + 1000));
  });

  it('rejects a truncated stream (cut inside the final tag)', async () => {
    await decryptBoth(stream.subarray(0, stream.length - 1));
  });

  it.each([
    ['a header alone', HEADER_SIZE],
    ['half a header', 20],
    ['nothing', 0],
  ])('rejects %s', async (_name, length) => {
    await decryptBoth(stream.subarray(0, length));
  });

  it('rejects reordered chunks', async () => {
    // Prepare: swap the two full chunks.
    const swapped = concatBytes(stream.subarray(0, HEADER_SIZE), chunk(stream, 1), chunk(stream, 0), stream.subarray(chunkOffset(2)));

    // Act / Assess
    await decryptBoth(swapped);
  });

  it('rejects a duplicated chunk', async () => {
    const duplicated = concatBytes(stream.subarray(0, chunkOffset(1)), chunk(stream, 0), stream.subarray(chunkOffset(1)));
    await decryptBoth(duplicated);
  });

  it('rejects a chunk spliced in from another document (same DEK and salt)', async () => {
    const spliced = concatBytes(stream.subarray(0, chunkOffset(1)), chunk(streamOtherDoc, 1), stream.subarray(chunkOffset(2)));
    await decryptBoth(spliced);
  });

  it('rejects a chunk spliced in from another version (same DEK and salt)', async () => {
    const spliced = concatBytes(stream.subarray(0, chunkOffset(1)), chunk(streamOtherVersion, 1), stream.subarray(chunkOffset(2)));
    await decryptBoth(spliced);
  });

  it('rejects trailing garbage after the final chunk', async () => {
    await decryptBoth(concatBytes(stream, Uint8Array.of(0)));
  });

  it('rejects a whole extra chunk after the final chunk', async () => {
    await decryptBoth(concatBytes(stream, chunk(stream, 2, 100 + 16)));
  });

  it('decrypts a stream whose final chunk is exactly 1 MiB, and rejects one trailing byte', async () => {
    // Prepare
    const exact = await encryptBytes(dek, ctx, counterPattern(MiB));

    // Act
    const decrypted = await readAll(piecesOf(exact, [MiB + HEADER_SIZE]).pipeThrough(decryptStream(dek, ctx)));

    // Assess
    expect(sha256Hex(decrypted)).toBe(sha256Hex(counterPattern(MiB)));
    await decryptBoth(concatBytes(exact, Uint8Array.of(1)));
  });

  it('rejects a single chunk whose last flag is not set', async () => {
    // Prepare: an otherwise valid one-chunk stream, sealed as if more were to come.
    const unfinished = await UNSAFE_sealRawStreamForTests(dek, ctx, salt, [{ index: 0, last: false, plaintext: counterPattern(10) }]);

    // Act / Assess
    await decryptBoth(unfinished);
  });

  it('rejects a last flag set on a chunk that is not the final one', async () => {
    const early = await UNSAFE_sealRawStreamForTests(dek, ctx, salt, [
      { index: 0, last: true, plaintext: counterPattern(MiB) },
      { index: 1, last: true, plaintext: counterPattern(5) },
    ]);
    await decryptBoth(early);
  });

  it('rejects an empty final chunk after data (not canonical), before any crypto on it', async () => {
    // Prepare: authentic chunks, but the encoder never ends a non-empty stream with an empty chunk.
    const padded = await UNSAFE_sealRawStreamForTests(dek, ctx, salt, [
      { index: 0, last: false, plaintext: counterPattern(MiB) },
      { index: 1, last: true, plaintext: new Uint8Array(0) },
    ]);

    // Act / Assess
    await decryptBoth(padded);
  });

  it('emits authenticated chunks before a later failure, then errors the stream', async () => {
    // Prepare: tamper with the final chunk only.
    const tampered = flipBit(stream, stream.length - 1);
    const reader = piecesOf(tampered, [ENCRYPTED_CHUNK_SIZE]).pipeThrough(decryptStream(dek, ctx)).getReader();

    // Act
    const first = await reader.read();
    const failure = (async () => {
      for (;;) if ((await reader.read()).done) return;
    })();

    // Assess: callers must treat output as untrusted until the stream closes cleanly.
    expect(sha256Hex(first.value!)).toBe(sha256Hex(plaintext.subarray(0, MiB)));
    await expectDecryptionFailed(failure);
  });

  it('rejects a DEK that is not 32 bytes with ValidationFailed', async () => {
    await expectValidationFailed(() => decryptStream(new Uint8Array(31), ctx), /exactly 32 bytes/);
  });
});

import { afterEach, describe, expect, it, vi } from 'vitest';
import { generateDataKey } from '../../../shared/core/crypto/dataKey.js';
import { decryptStream } from '../../../shared/core/crypto/decryptStream.js';
import { encryptStream, MAX_IN_FLIGHT } from '../../../shared/core/crypto/encryptStream.js';
import { decryptBytes, encryptBytes } from '../../../shared/core/crypto/streamBytes.js';
import { CHUNK_SIZE, chunkOffset, ciphertextSize, ENCRYPTED_CHUNK_SIZE, HEADER_SIZE } from '../../../shared/core/crypto/streamSizes.js';
import { UNSAFE_encryptStreamWithSaltForTests } from '../../../shared/core/crypto/testSeams.js';
import { counterPattern, expectValidationFailed, piecesOf, readAll, sha256Hex } from './support.js';

const ctx = { documentId: 'AAECAwQFBgcICQoLDA0ODw', version: 1 };
const dek = generateDataKey();
const MiB = CHUNK_SIZE;

afterEach(() => {
  vi.restoreAllMocks();
});

describe('encryptStream', () => {
  it.each([
    ['0 bytes', 0],
    ['1 byte', 1],
    ['exactly 1 MiB', MiB],
    ['1 MiB + 1', MiB + 1],
    ['20 MiB', 20 * MiB],
  ])('round-trips %s through decryptStream', async (_name, size) => {
    // Prepare
    const plaintext = counterPattern(size);

    // Act
    const ciphertext = await readAll(piecesOf(plaintext, [256 * 1024]).pipeThrough(encryptStream(dek, ctx)));
    const decrypted = await readAll(piecesOf(ciphertext, [256 * 1024]).pipeThrough(decryptStream(dek, ctx)));

    // Assess
    expect(ciphertext).toHaveLength(ciphertextSize(size));
    expect(decrypted).toHaveLength(size);
    expect(sha256Hex(decrypted)).toBe(sha256Hex(plaintext));
  });

  it('produces the same bytes whatever the sizes of the input pieces', async () => {
    // Prepare: one salt, so only the piece sizes differ between the runs.
    const plaintext = counterPattern(3 * MiB + 12345);
    const salt = new Uint8Array(32).fill(9);
    const whole = await readAll(piecesOf(plaintext, [plaintext.length]).pipeThrough(UNSAFE_encryptStreamWithSaltForTests(dek, ctx, salt)));

    // Act
    const odd = await readAll(piecesOf(plaintext, [1, 7, 65537, MiB - 1, 3, MiB + 5]).pipeThrough(UNSAFE_encryptStreamWithSaltForTests(dek, ctx, salt)));

    // Assess
    expect(sha256Hex(odd)).toBe(sha256Hex(whole));
  });

  it('keeps every chunk distinct although the chunk buffer is reused (no stale block)', async () => {
    const dek = generateDataKey();
    // Six chunks of different random content: a reused block handed out too early would repeat one.
    const plaintext = new Uint8Array(6 * MiB + 12345);
    for (let i = 0; i < plaintext.length; i += 65536) crypto.getRandomValues(plaintext.subarray(i, i + 65536));
    const ciphertext = await readAll(piecesOf(plaintext, [MiB - 3, 5, 2 * MiB + 1, 77]).pipeThrough(encryptStream(dek, ctx)));
    const decrypted = await readAll(piecesOf(ciphertext, [MiB + 17, 3, 999_999]).pipeThrough(decryptStream(dek, ctx)));
    expect(sha256Hex(decrypted)).toBe(sha256Hex(plaintext));
  });

  it('decrypts input fed in odd-sized pieces', async () => {
    // Prepare
    const plaintext = counterPattern(2 * MiB + 99);
    const ciphertext = await encryptBytes(dek, ctx, plaintext);

    // Act
    const decrypted = await readAll(piecesOf(ciphertext, [1, 37, 2, 1000003, 17]).pipeThrough(decryptStream(dek, ctx)));

    // Assess
    expect(sha256Hex(decrypted)).toBe(sha256Hex(plaintext));
  });

  it('emits the header first, then one output per chunk of at most 1 MiB + 16', async () => {
    // Act
    const outputs: Uint8Array[] = [];
    const stream = piecesOf(counterPattern(2 * MiB + 1), [300_000]).pipeThrough(encryptStream(dek, ctx));
    for await (const output of stream as unknown as AsyncIterable<Uint8Array>) outputs.push(output);

    // Assess
    expect(outputs.map((o) => o.length)).toEqual([HEADER_SIZE, ENCRYPTED_CHUNK_SIZE, ENCRYPTED_CHUNK_SIZE, 1 + 16]);
  });

  it('draws a fresh salt for every stream', async () => {
    // Act
    const a = await encryptBytes(dek, ctx, counterPattern(10));
    const b = await encryptBytes(dek, ctx, counterPattern(10));

    // Assess
    expect(a.subarray(6, HEADER_SIZE)).not.toEqual(b.subarray(6, HEADER_SIZE));
    expect(a.subarray(HEADER_SIZE)).not.toEqual(b.subarray(HEADER_SIZE));
  });

  it(`keeps at most ${MAX_IN_FLIGHT} chunk encryptions in flight and preserves their order`, async () => {
    // Prepare: count concurrent AES-GCM encryptions, and finish them in scrambled order.
    const original = crypto.subtle.encrypt.bind(crypto.subtle);
    let inFlight = 0;
    let peak = 0;
    let call = 0;
    vi.spyOn(crypto.subtle, 'encrypt').mockImplementation(async (algorithm, key, data) => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      const delay = [5, 0, 3, 1][call++ % 4]!;
      await new Promise((resolve) => setTimeout(resolve, delay));
      try {
        return await original(algorithm, key, data);
      } finally {
        inFlight--;
      }
    });
    const plaintext = counterPattern(12 * MiB + 3);

    // Act
    const ciphertext = await readAll(piecesOf(plaintext, [MiB]).pipeThrough(encryptStream(dek, ctx)));
    vi.restoreAllMocks();
    const decrypted = await decryptBytes(dek, ctx, ciphertext);

    // Assess
    expect(peak).toBe(MAX_IN_FLIGHT);
    expect(sha256Hex(decrypted)).toBe(sha256Hex(plaintext));
  });

  it('applies backpressure: a slow reader holds the source to a few chunks', async () => {
    // Prepare: a 64 MiB source that counts what it has been asked for.
    let produced = 0;
    const source = new ReadableStream<Uint8Array>(
      {
        pull(controller) {
          if (produced >= 64 * MiB) return controller.close();
          produced += MiB;
          controller.enqueue(new Uint8Array(MiB));
        },
      },
      { highWaterMark: 0 },
    );
    const reader = source.pipeThrough(encryptStream(dek, ctx)).getReader();

    // Act: read the header and two chunks, then stall.
    for (let i = 0; i < 3; i++) await reader.read();
    await new Promise((resolve) => setTimeout(resolve, 100));

    // Assess: memory is bounded by the in-flight window, not by the input.
    expect(produced).toBeLessThanOrEqual(12 * MiB);
    await reader.cancel();
  });

  it('rejects a DEK that is not 32 bytes', async () => {
    await expectValidationFailed(() => encryptStream(new Uint8Array(16), ctx), /exactly 32 bytes/);
  });

  it.each([
    ['a document id with a space', { documentId: 'doc 1', version: 1 }, /document id must be 1 to 128 base64url/],
    ['a negative version', { documentId: 'doc', version: -1 }, /version must be an integer/],
    ['a version beyond u32', { documentId: 'doc', version: 2 ** 32 }, /version must be an integer/],
  ])('rejects %s', async (_name, context, message) => {
    await expectValidationFailed(() => encryptStream(dek, context), message);
  });

  it('rejects a piece that is not bytes', async () => {
    // Prepare
    const source = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue('text' as unknown as Uint8Array);
        controller.close();
      },
    });

    // Act / Assess
    await expectValidationFailed(readAll(source.pipeThrough(encryptStream(dek, ctx))), /must be a Uint8Array/);
  });
});

describe('chunkOffset', () => {
  it('locates each chunk of a real stream', async () => {
    // Prepare
    const ciphertext = await encryptBytes(dek, ctx, counterPattern(2 * MiB + 10));

    // Act
    const third = ciphertext.subarray(chunkOffset(2));

    // Assess
    expect(third).toHaveLength(10 + 16);
  });
});

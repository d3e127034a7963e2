export { readAll } from '../../helpers/streams.js';
/** Helpers shared by the crypto unit tests (not a test file itself). */
import { createHash } from 'node:crypto';
import { expect } from 'vitest';
import { DecryptionFailed, ValidationFailed } from '../../../shared/core/errors/index.js';

/** Deterministic plaintext: byte i is i mod 256 (the "counter" pattern of the test vectors). */
export function counterPattern(length: number): Uint8Array {
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) out[i] = i & 0xff;
  return out;
}

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** A ReadableStream that yields `bytes` cut into the given piece sizes (cycled). */
export function piecesOf(bytes: Uint8Array, sizes: readonly number[]): ReadableStream<Uint8Array> {
  let offset = 0;
  let turn = 0;
  return new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        if (offset >= bytes.length) return controller.close();
        const size = sizes[turn++ % sizes.length]!;
        // A fresh copy each time, as a network or file reader would hand over.
        controller.enqueue(bytes.slice(offset, offset + size));
        offset += size;
      },
    },
    { highWaterMark: 0 },
  );
}

/** Reads a stream to the end and concatenates its chunks. */
/** Asserts the one crypto failure: DecryptionFailed, code DECRYPTION_FAILED, fixed message. */
export async function expectDecryptionFailed(action: Promise<unknown>): Promise<void> {
  const error = await action.then(
    () => new Error('expected DecryptionFailed, but the operation succeeded'),
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DecryptionFailed);
  expect(error).toMatchObject({ code: 'DECRYPTION_FAILED', message: 'Decryption failed.' });
}

/** Asserts a ValidationFailed (code VALIDATION_FAILED) whose message matches. */
export async function expectValidationFailed(action: Promise<unknown> | (() => unknown), message: RegExp): Promise<void> {
  let error: unknown = new Error('expected ValidationFailed, but the operation succeeded');
  try {
    await (typeof action === 'function' ? action() : action);
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(ValidationFailed);
  expect(error).toMatchObject({ code: 'VALIDATION_FAILED', message: expect.stringMatching(message) });
}

/** A copy of `bytes` with bit 0 of byte `index` flipped. */
export function flipBit(bytes: Uint8Array, index: number): Uint8Array {
  const out = bytes.slice();
  out[index]! ^= 0x01;
  return out;
}

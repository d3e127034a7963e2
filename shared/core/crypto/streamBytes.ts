import { DecryptionFailed } from '../errors/index.js';
import { decryptStream } from './decryptStream.js';
import { encryptStream } from './encryptStream.js';
import { assertBytes } from './inputChecks.js';
import type { StreamContext } from './streamContext.js';
import { ciphertextSize, plaintextSize } from './streamSizes.js';

/** encryptStream for a plaintext already in memory (small files, tests). Same format. */
export async function encryptBytes(dek: Uint8Array, context: StreamContext, plaintext: Uint8Array): Promise<Uint8Array> {
  assertBytes(plaintext, 'The plaintext');
  const transform = encryptStream(dek, context);
  return collect(bytesStream(plaintext).pipeThrough(transform), ciphertextSize(plaintext.length));
}

/** decryptStream for a ciphertext already in memory. Any failure: DecryptionFailed. */
export async function decryptBytes(dek: Uint8Array, context: StreamContext, ciphertext: Uint8Array): Promise<Uint8Array> {
  assertBytes(ciphertext, 'The ciphertext');
  const transform = decryptStream(dek, context);
  let expected: number;
  try {
    expected = plaintextSize(ciphertext.length); // an impossible length fails before any crypto
  } catch {
    throw new DecryptionFailed();
  }
  return collect(bytesStream(ciphertext).pipeThrough(transform), expected);
}

function bytesStream(bytes: Uint8Array): ReadableStream<Uint8Array> {
  return new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(bytes);
      controller.close();
    },
  });
}

async function collect(stream: ReadableStream<Uint8Array>, length: number): Promise<Uint8Array> {
  const out = new Uint8Array(length);
  let offset = 0;
  const reader = stream.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (offset + value.length > length) throw new Error('Internal error: the stream is longer than its computed size.');
    out.set(value, offset);
    offset += value.length;
  }
  if (offset !== length) throw new Error('Internal error: the stream is shorter than its computed size.');
  return out;
}

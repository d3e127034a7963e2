import { ValidationFailed } from '../errors/index.js';
import { copyBytes, wipe } from './bytes.js';
import { DATA_KEY_BYTES } from './dataKey.js';
import { hkdfKey } from './hkdf.js';
import { assertBytes } from './inputChecks.js';
import { InOrderPipeline } from './inOrderPipeline.js';
import { randomBytes } from './randomBytes.js';
import { Rechunker } from './rechunker.js';
import { sealChunk, streamCipher, type StreamCipher } from './streamCipher.js';
import { assertStreamContext, type StreamContext } from './streamContext.js';
import { encodeStreamHeader, STREAM_SALT_SIZE } from './streamHeader.js';
import { CHUNK_SIZE, MAX_CHUNKS } from './streamSizes.js';

/**
 * Chunk operations kept in flight (order is preserved). Measured on 2 cores with 1 GiB
 * (docs/benchmarks.md): 2 in flight is as fast as 3 or 4, since the limit is CPU per
 * byte rather than pipeline depth, and keeps peak memory lowest (113 vs 127/134 MiB).
 */
export const MAX_IN_FLIGHT = 2;

/**
 * Encrypts a document version as a v1 stream (docs/envelope-format.md):
 *
 *   plaintext.pipeThrough(encryptStream(dek, { documentId, version }))
 *
 * Accepts input pieces of any size, re-cuts them into 1 MiB chunks, keeps up to
 * MAX_IN_FLIGHT chunk encryptions in flight, and uses memory bounded by a few chunks whatever the length.
 * The output is the header, then the chunks in order. A fresh random salt per call makes
 * a fresh stream key (see the invariant in streamCipher.ts).
 */
export function encryptStream(dek: Uint8Array, context: StreamContext): TransformStream<Uint8Array, Uint8Array> {
  assertBytes(dek, 'The data key', DATA_KEY_BYTES);
  assertStreamContext(context);
  return createStreamEncryptor(dek, context, randomBytes(STREAM_SALT_SIZE));
}

/**
 * INTERNAL: encryptStream with the salt supplied. The salt MUST be fresh and random:
 * reusing one with the same DEK reuses AES-GCM nonces. Only encryptStream, the fenced
 * resume (encryptStreamWithHeader.ts: the identical plaintext only) and the fenced test
 * seam (testSeams.ts) call this.
 */
export function createStreamEncryptor(
  dek: Uint8Array,
  context: StreamContext,
  salt: Uint8Array,
): TransformStream<Uint8Array, Uint8Array> {
  assertBytes(dek, 'The data key', DATA_KEY_BYTES);
  assertStreamContext(context);
  const ikm = copyBytes(dek);
  const header = encodeStreamHeader(salt);
  const saltCopy = copyBytes(salt);
  const chunks = new Rechunker(CHUNK_SIZE);
  const pipeline = new InOrderPipeline<Uint8Array<ArrayBuffer>>(MAX_IN_FLIGHT);
  let cipher: StreamCipher;
  let index = 0;

  const seal = (plaintext: Uint8Array<ArrayBuffer>, last: boolean) => {
    if (index >= MAX_CHUNKS) throw new ValidationFailed(`A stream holds at most ${MAX_CHUNKS} chunks of 1 MiB.`);
    return sealChunk(cipher, index++, last, plaintext);
  };

  return new TransformStream<Uint8Array, Uint8Array>({
    async start(controller) {
      try {
        cipher = await streamCipher(await hkdfKey(ikm), header, saltCopy, { ...context }, 'encrypt');
      } finally {
        wipe(ikm);
      }
      controller.enqueue(header);
    },
    async transform(piece, controller) {
      assertBytes(piece, 'Each plaintext piece');
      const emit = (chunk: Uint8Array) => controller.enqueue(chunk);
      for (const block of chunks.push(piece)) await pipeline.add(seal(block, false), emit);
    },
    async flush(controller) {
      const emit = (chunk: Uint8Array) => controller.enqueue(chunk);
      // The final chunk: 1..CHUNK_SIZE bytes, or 0 bytes when the whole plaintext is empty.
      await pipeline.add(seal(copyBytes(chunks.finish()), true), emit);
      await pipeline.drain(emit);
    },
  });
}

import { DecryptionFailed } from '../errors/index.js';
import { copyBytes, wipe } from './bytes.js';
import { DATA_KEY_BYTES } from './dataKey.js';
import { MAX_IN_FLIGHT } from './encryptStream.js';
import { hkdfKey } from './hkdf.js';
import { assertBytes } from './inputChecks.js';
import { InOrderPipeline } from './inOrderPipeline.js';
import { assertRangePlan, type RangePlan } from './planRange.js';
import { Rechunker } from './rechunker.js';
import { openChunk, streamCipher, type StreamCipher } from './streamCipher.js';
import { assertStreamContext, type StreamContext } from './streamContext.js';
import { parseStreamHeader } from './streamHeader.js';
import { ENCRYPTED_CHUNK_SIZE } from './streamSizes.js';

/**
 * Decrypts part of a v1 stream: the chunks a planRange plan names.
 *
 *   const plan = planRange(size, start, end);
 *   // header = bytes 0-37 of the object; body = bytes [plan.ciphertextStart, plan.ciphertextEnd)
 *   body.pipeThrough(decryptRange(dek, { documentId, version }, header, plan))  // -> plaintext [start, end)
 *
 * Each chunk is opened at its own index, under the header in its AAD, so a chunk from
 * another offset, stream, document or version fails. The stream's final chunk is opened as
 * final and every other chunk as non-final, so a plan whose size is wrong, or ciphertext cut
 * short, fails too. The input must be exactly ciphertextEnd - ciphertextStart bytes: more or
 * fewer is DecryptionFailed (before opening the chunk concerned).
 *
 * What a range cannot prove: that the chunks outside it exist or are intact, or which of
 * several uploads with the same header this is (docs/versions.md "Integrity"). Output is
 * released one authenticated chunk at a time; only a clean close means the range is complete.
 *
 * Arguments (DEK, context, plan) are checked first (ValidationFailed); a malformed header is
 * DecryptionFailed, before any crypto. Every other failure is DecryptionFailed.
 */
export function decryptRange(
  dek: Uint8Array,
  context: StreamContext,
  header: Uint8Array,
  plan: RangePlan,
): TransformStream<Uint8Array, Uint8Array> {
  assertBytes(dek, 'The data key', DATA_KEY_BYTES);
  assertStreamContext(context);
  assertRangePlan(plan);
  assertBytes(header, 'The stream header');
  const headerCopy = copyBytes(header);
  const { salt } = parseStreamHeader(headerCopy); // length and every field checked before any crypto

  const ikm = copyBytes(dek);
  const ctx = { ...context };
  const p = { ...plan };
  const expected = p.ciphertextEnd - p.ciphertextStart;
  const chunks = new Rechunker(ENCRYPTED_CHUNK_SIZE);
  const pipeline = new InOrderPipeline<Uint8Array<ArrayBuffer>>(MAX_IN_FLIGHT);
  let cipher: StreamCipher;
  let received = 0;
  let index = p.firstChunk;
  let toSkip = p.skip;
  let toEmit = p.length;

  const open = (sealed: Uint8Array<ArrayBuffer>, last: boolean) => openChunk(cipher, index++, last, sealed);
  const emitTo = (controller: TransformStreamDefaultController<Uint8Array>) => (chunk: Uint8Array) => {
    const from = Math.min(toSkip, chunk.length);
    toSkip -= from;
    const to = Math.min(chunk.length, from + toEmit);
    toEmit -= to - from;
    if (to > from) controller.enqueue(from === 0 && to === chunk.length ? chunk : chunk.slice(from, to));
  };

  return new TransformStream<Uint8Array, Uint8Array>({
    async start() {
      try {
        cipher = await streamCipher(await hkdfKey(ikm), headerCopy, salt, ctx, 'decrypt');
      } finally {
        wipe(ikm);
      }
    },
    async transform(piece, controller) {
      assertBytes(piece, 'Each ciphertext piece');
      received += piece.length;
      if (received > expected) throw new DecryptionFailed(); // more than the plan's chunks
      // With at most `expected` bytes in, push yields only chunks before the range's last one.
      const emit = emitTo(controller);
      for (const block of chunks.push(piece)) await pipeline.add(open(block, false), emit);
    },
    async flush(controller) {
      if (received !== expected) throw new DecryptionFailed(); // cut short
      const emit = emitTo(controller);
      await pipeline.add(open(copyBytes(chunks.finish()), p.includesFinalChunk), emit);
      await pipeline.drain(emit);
      if (toEmit !== 0 || index !== p.lastChunk + 1) throw new DecryptionFailed(); // cannot happen with a checked plan
    },
  });
}

import { DecryptionFailed } from '../errors/index.js';
import { copyBytes, wipe } from './bytes.js';
import { DATA_KEY_BYTES } from './dataKey.js';
import { MAX_IN_FLIGHT } from './encryptStream.js';
import { hkdfKey } from './hkdf.js';
import { assertBytes } from './inputChecks.js';
import { InOrderPipeline } from './inOrderPipeline.js';
import { Rechunker } from './rechunker.js';
import { openChunk, streamCipher, type StreamCipher } from './streamCipher.js';
import { assertStreamContext, type StreamContext } from './streamContext.js';
import { HEADER_SIZE, parseStreamHeader } from './streamHeader.js';
import { ENCRYPTED_CHUNK_SIZE, MAX_CHUNKS, TAG_SIZE } from './streamSizes.js';

/**
 * Decrypts a v1 stream made by encryptStream:
 *
 *   ciphertext.pipeThrough(decryptStream(dek, { documentId, version }))
 *
 * Any failure (malformed header, wrong key, document or version, tampering, reordering,
 * truncation, trailing data) errors the stream with the one DecryptionFailed.
 *
 * Each chunk is authenticated before its plaintext is emitted, but a stream can only be
 * known complete at its end: treat the output as untrusted until the stream closes
 * without error (delete a partial output file on error).
 *
 * The final chunk is found by look-ahead: a full-size chunk is opened as non-final only
 * once a further byte has arrived, and whatever is buffered at the end is opened as final.
 * So a stream ending on a full chunk works, and any byte after the real final chunk makes
 * that chunk open as non-final and fail.
 */
export function decryptStream(dek: Uint8Array, context: StreamContext): TransformStream<Uint8Array, Uint8Array> {
  assertBytes(dek, 'The data key', DATA_KEY_BYTES);
  assertStreamContext(context);
  const ikm = copyBytes(dek);
  const ctx = { ...context };
  const header = new Uint8Array(HEADER_SIZE);
  let headerFilled = 0;
  let dekKey: CryptoKey;
  let cipher: StreamCipher | undefined;
  const chunks = new Rechunker(ENCRYPTED_CHUNK_SIZE);
  const pipeline = new InOrderPipeline<Uint8Array<ArrayBuffer>>(MAX_IN_FLIGHT);
  let index = 0;

  const open = (sealed: Uint8Array<ArrayBuffer>, last: boolean) => {
    if (!cipher || index >= MAX_CHUNKS) throw new DecryptionFailed();
    return openChunk(cipher, index++, last, sealed);
  };

  return new TransformStream<Uint8Array, Uint8Array>({
    async start() {
      try {
        dekKey = await hkdfKey(ikm);
      } finally {
        wipe(ikm);
      }
    },
    async transform(piece, controller) {
      assertBytes(piece, 'Each ciphertext piece');
      let rest: Uint8Array = piece;
      if (!cipher) {
        const n = Math.min(HEADER_SIZE - headerFilled, rest.length);
        header.set(rest.subarray(0, n), headerFilled);
        headerFilled += n;
        rest = rest.subarray(n);
        if (headerFilled < HEADER_SIZE) return;
        const { salt } = parseStreamHeader(header); // every field checked before any crypto
        cipher = await streamCipher(dekKey, header, salt, ctx, 'decrypt');
      }
      const emit = (chunk: Uint8Array) => controller.enqueue(chunk);
      for (const block of chunks.push(rest)) await pipeline.add(open(block, false), emit);
    },
    async flush(controller) {
      const emit = (chunk: Uint8Array) => controller.enqueue(chunk);
      if (!cipher) throw new DecryptionFailed(); // shorter than a header
      const last = chunks.finish();
      // A stream has at least one chunk; the final one is 1..CHUNK_SIZE bytes of plaintext,
      // or empty only when it is the only chunk. Checked before any crypto.
      if (last.length < TAG_SIZE || (last.length === TAG_SIZE && index > 0)) throw new DecryptionFailed();
      await pipeline.add(open(copyBytes(last), true), emit);
      await pipeline.drain(emit);
    },
  });
}

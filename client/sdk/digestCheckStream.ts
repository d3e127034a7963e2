import { TagDigest } from '../../shared/core/crypto/index.js';

/**
 * Passes a full download's ciphertext through unchanged while computing its digest
 * (docs/versions.md "Integrity"), and fails the stream with `mismatch()` unless the ciphertext
 * is exactly `ciphertextSize` bytes with the `expected` digest: at once on a byte past the
 * size, otherwise at its end, before the decryptor downstream can release the final chunk.
 * Security check: do not remove.
 */
export function digestCheckStream(ciphertextSize: number, expected: string, mismatch: () => Error): TransformStream<Uint8Array, Uint8Array> {
  let digest: TagDigest;
  return new TransformStream<Uint8Array, Uint8Array>({
    async start() {
      digest = await TagDigest.create(ciphertextSize);
    },
    transform(piece, controller) {
      if (digest.position + piece.byteLength > ciphertextSize) throw mismatch();
      digest.update(piece);
      controller.enqueue(piece);
    },
    flush() {
      if (digest.position !== ciphertextSize || digest.digest() !== expected) throw mismatch();
    },
  });
}

import { ValidationFailed } from '../errors/index.js';
import { assertCiphertextSize, TagDigest } from './tagDigest.js';

export type DigestStream = {
  /** Passes the ciphertext through unchanged. */
  stream: TransformStream<Uint8Array, Uint8Array>;
  /**
   * The whole-stream digest (TagDigest), once exactly `ciphertextSize` bytes have passed and
   * the input closed. Rejects with the stream's error (ValidationFailed when the input is
   * longer or shorter than `ciphertextSize`). Stays pending if the pipe is cancelled.
   */
  digest: Promise<string>;
};

/**
 * A pass-through TransformStream that computes the ciphertext digest of a whole stream of
 * `ciphertextSize` bytes on the way (docs/envelope-format.md "Ciphertext digest"):
 *
 *   const { stream, digest } = digestStream(ciphertextSize(plainSize));
 *   plaintext.pipeThrough(encryptStream(dek, ctx)).pipeThrough(stream) … ; await digest
 */
export function digestStream(ciphertextSize: number): DigestStream {
  assertCiphertextSize(ciphertextSize); // synchronously, like every other argument check
  const created = TagDigest.create(ciphertextSize);
  let resolve!: (digest: string) => void;
  let reject!: (error: unknown) => void;
  const digest = new Promise<string>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  digest.catch(() => undefined); // the stream reports the error too; a caller may await only one
  created.catch(() => undefined);
  let hasher: TagDigest;

  const fail = (error: unknown): never => {
    reject(error);
    throw error;
  };

  const stream = new TransformStream<Uint8Array, Uint8Array>({
    async start() {
      try {
        hasher = await created;
      } catch (error) {
        fail(error);
      }
    },
    transform(piece, controller) {
      try {
        hasher.update(piece);
      } catch (error) {
        fail(error);
      }
      controller.enqueue(piece);
    },
    flush() {
      if (hasher.position !== ciphertextSize) {
        fail(new ValidationFailed(`The ciphertext ended after ${hasher.position} of its ${ciphertextSize} bytes.`));
      }
      resolve(hasher.digest());
    },
  });
  return { stream, digest };
}

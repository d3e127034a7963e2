/**
 * Re-cuts a byte stream of arbitrary pieces into blocks of `size` bytes, one block of
 * look-ahead: a full block is released only once a further byte has arrived, so whoever
 * consumes blocks knows it is not the last one. finish() returns the final block, which
 * is 1..size bytes, or 0 bytes only when nothing at all was pushed.
 *
 * Memory: one block, reused. Each yielded block is valid only until the generator resumes:
 * consume it synchronously. encryptStream/decryptStream hand it straight to WebCrypto,
 * which copies its input when encrypt/decrypt is called (before any await), so reuse is
 * safe there. Reusing the block instead of allocating one per chunk saves a fresh 1 MiB
 * allocation, and its page faults, per chunk (docs/bench-results/crypto-analysis.md).
 */
export class Rechunker {
  readonly #size: number;
  #block: Uint8Array<ArrayBuffer>;
  #filled = 0;

  constructor(size: number) {
    this.#size = size;
    this.#block = new Uint8Array(size);
  }

  /** Copies `input` in; yields each block now known not to be the last. Lazy: iterate it fully. */
  *push(input: Uint8Array): Generator<Uint8Array<ArrayBuffer>> {
    let offset = 0;
    while (offset < input.length) {
      if (this.#filled === this.#size) {
        this.#filled = 0;
        yield this.#block; // the same buffer every time: use it before resuming
      }
      const n = Math.min(this.#size - this.#filled, input.length - offset);
      this.#block.set(input.subarray(offset, offset + n), this.#filled);
      this.#filled += n;
      offset += n;
    }
  }

  /** The final block (0..size bytes); a view of the reused block, so copy it if it must outlive the next push. */
  finish(): Uint8Array<ArrayBuffer> {
    return this.#block.subarray(0, this.#filled);
  }
}

/**
 * Runs up to `depth` asynchronous chunk operations at once and emits their results in
 * submission order. WebCrypto AES-GCM runs on a thread pool (Node) or off the main
 * thread (browsers), so a second chunk in flight overlaps the main thread's copies with
 * the AES work, while memory stays bounded at `depth` chunks.
 */
export class InOrderPipeline<T> {
  readonly #depth: number;
  readonly #queue: Promise<T>[] = [];

  constructor(depth: number) {
    this.#depth = depth;
  }

  /** Queues `work`; when `depth` are in flight, waits for the oldest and emits it. */
  async add(work: Promise<T>, emit: (result: T) => void): Promise<void> {
    // The rejection is observed when this promise reaches the head of the queue; until then
    // (or if an earlier one fails first and the stream errors) it must not count as unhandled.
    work.catch(() => undefined);
    this.#queue.push(work);
    while (this.#queue.length >= this.#depth) emit(await this.#queue.shift()!);
  }

  /** Waits for everything in flight and emits it in order. */
  async drain(emit: (result: T) => void): Promise<void> {
    while (this.#queue.length > 0) emit(await this.#queue.shift()!);
  }
}

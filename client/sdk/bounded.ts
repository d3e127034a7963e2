/**
 * Runs `task` over every item with at most `limit` in flight, pulling items lazily so a
 * stream-backed iterable is consumed only as fast as the tasks finish. The first failure
 * stops pulling new items, waits for the running ones and is rethrown.
 */
export async function forEachBounded<T>(
  items: AsyncIterable<T> | Iterable<T>,
  limit: number,
  task: (item: T, index: number) => Promise<void>,
): Promise<void> {
  if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`invalid concurrency ${limit}`);
  const running = new Set<Promise<void>>();
  let failure: { error: unknown } | undefined;
  let index = 0;
  for await (const item of items) {
    if (failure) break; // a task failed while the next item was being produced: do not start another
    const run: Promise<void> = task(item, index++)
      .catch((error: unknown) => {
        failure ??= { error };
      })
      .finally(() => running.delete(run));
    running.add(run);
    if (running.size >= limit) await Promise.race(running);
    if (failure) break;
  }
  await Promise.all(running);
  if (failure) throw failure.error;
}

/** `forEachBounded` that collects results in input order. */
export async function mapBounded<T, R>(items: readonly T[], limit: number, task: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  await forEachBounded(items, limit, async (item, i) => {
    results[i] = await task(item, i);
  });
  return results;
}

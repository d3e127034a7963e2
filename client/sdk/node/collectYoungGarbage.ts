/**
 * Bytes of a transfer between two minor GCs, when the process exposes `gc` (the coffer launcher
 * runs node with --expose-gc, client/cli/launcherEnv.js).
 */
export const YOUNG_GC_EVERY_BYTES = 2 * 1024 * 1024;

type ExposedGc = (options?: { type?: 'major' | 'minor' }) => void;

/**
 * A large transfer leaves native garbage behind every 1 MiB chunk: the file read buffer, the
 * chunk WebCrypto sealed or opened, the network's buffers. Each is freed only when V8 collects
 * its small JS wrapper, and a transfer allocates so little JS that this happened every ~15–30 MiB
 * of data, with that much dead memory resident (docs/bench-results/large-files-analysis.md). A
 * minor GC (a scavenge of the 1 MiB young generation, ~0.1 ms) every YOUNG_GC_EVERY_BYTES bounds
 * it. Returns the counter to call with each piece's size; a no-op where gc is not exposed.
 */
export function youngGarbageCollector(everyBytes = YOUNG_GC_EVERY_BYTES): (bytes: number) => void {
  const gc = (globalThis as { gc?: ExposedGc }).gc;
  if (typeof gc !== 'function') return () => undefined;
  let since = 0;
  return (bytes) => {
    since += bytes;
    if (since < everyBytes) return;
    since = 0;
    gc({ type: 'minor' });
  };
}

// The environment the `coffer` launcher gives the CLI process (plain JS: read before anything is compiled).
//
// glibc returns freed 1 MiB buffers to the kernel (they are above its mmap threshold), so every
// chunk of a large upload or download faults fresh pages in again: ~150k page faults per GiB,
// a fifth of the CPU time (docs/bench-results/crypto-analysis.md). Raising the mmap and trim
// thresholds keeps freed chunk buffers in the heap for reuse. But each thread then keeps up to
// the trim threshold of freed memory in its own arena: WebCrypto seals chunks on libuv's
// threads, and a 1 GiB upload held ~80 MiB in thread arenas (pmap). Two arenas in all keep the
// reuse and drop that (docs/bench-results/large-files-analysis.md). These variables only take
// effect when set before the process starts, hence a launcher. Harmless elsewhere (musl, macOS,
// Windows ignore them).
export const MALLOC_TUNING = {
  MALLOC_MMAP_THRESHOLD_: String(64 * 1024 * 1024),
  MALLOC_TRIM_THRESHOLD_: String(32 * 1024 * 1024),
  MALLOC_ARENA_MAX: '2',
};

// Node options of the relaunched CLI. V8's young generation grows to 16 MiB semi-spaces (up to
// ~30 MiB of heap) under a transfer's many short-lived objects; the CLI allocates little that
// lives, so 1 MiB semi-spaces cost no measurable time and save that memory (same analysis).
export const NODE_TUNING = ['--max-semi-space-size=1'];

/** True when this process already runs with the tuning (or the user opted out with COFFER_NO_RELAUNCH=1). */
export function isTuned(env = process.env) {
  return env.COFFER_NO_RELAUNCH === '1' || Object.entries(MALLOC_TUNING).every(([k, v]) => env[k] === v);
}

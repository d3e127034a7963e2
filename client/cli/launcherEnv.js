// The environment the `coffer` launcher gives the CLI process (plain JS: read before tsx loads).
//
// glibc returns freed 1 MiB buffers to the kernel (they are above its mmap threshold), so every
// chunk of a large upload or download faults fresh pages in again: ~150k page faults per GiB,
// a fifth of the CPU time (docs/bench-results/crypto-analysis.md). Raising the mmap and trim
// thresholds keeps freed chunk buffers in the heap for reuse. These variables only take effect
// when set before the process starts, hence a launcher. Harmless elsewhere (musl, macOS, Windows
// ignore them).
export const MALLOC_TUNING = {
  MALLOC_MMAP_THRESHOLD_: String(64 * 1024 * 1024),
  MALLOC_TRIM_THRESHOLD_: String(32 * 1024 * 1024),
};

/** Node options of the relaunched CLI (measured in docs/benchmarks.md, "Large files"). */
export const NODE_TUNING = [];

/** True when this process already runs with the tuning (or the user opted out with COFFER_NO_RELAUNCH=1). */
export function isTuned(env = process.env) {
  return env.COFFER_NO_RELAUNCH === '1' || Object.entries(MALLOC_TUNING).every(([k, v]) => env[k] === v);
}

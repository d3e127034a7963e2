// The environment the `coffer` launcher gives the CLI process (plain JS: read before anything is compiled).
//
// glibc returns freed 1 MiB buffers to the kernel (they are above its mmap threshold), so every
// chunk of a large upload or download faults fresh pages in again: ~150k page faults per GiB,
// a fifth of the CPU time (docs/bench-results/crypto-analysis.md). Raising the mmap and trim
// thresholds keeps freed chunk buffers in the heap for reuse. But each thread then keeps up to
// the trim threshold of freed memory in its own arena: WebCrypto seals chunks on libuv's
// threads, and a 1 GiB upload held ~80 MiB in thread arenas (pmap). One arena for all threads
// keeps the reuse and drops that: a chunk sealed on a libuv thread and freed on the main thread
// leaves its memory where the next read buffer can reuse it (1 GiB encrypted from a file: 93 MiB
// with one arena, 99 with two, same CPU time; docs/bench-results/large-files-analysis.md). A
// lower trim threshold (4 MiB) costs ten times the page faults and three times the CPU. These
// variables only take effect when set before the process starts, hence a launcher. Harmless
// elsewhere (musl, macOS, Windows ignore them).
export const MALLOC_TUNING = {
  MALLOC_MMAP_THRESHOLD_: String(64 * 1024 * 1024),
  MALLOC_TRIM_THRESHOLD_: String(32 * 1024 * 1024),
  MALLOC_ARENA_MAX: '1',
};

// Node options of the relaunched CLI (same analysis for each):
// - V8's young generation grows to 16 MiB semi-spaces (up to ~30 MiB of heap) under a transfer's
//   many short-lived objects; the CLI allocates little that lives, so 1 MiB semi-spaces cost no
//   measurable time and save that memory.
// - --expose-gc: the file reader and writer (client/sdk/node) then run a minor GC every 2 MiB of a
//   transfer, so the native garbage of its chunks is freed as it goes (youngGarbageCollector).
export const NODE_TUNING = ['--max-semi-space-size=1', '--expose-gc'];

// Node options added for the commands that upload a file (upload, update): no optimising
// compilers. TurboFan (JS, and wasm functions once they have run ~1.8 MB of code: fetch's HTTP
// parser, llhttp, within the first requests) compiles on a V8 worker thread into zone memory:
// 20-25 MiB for a moment, malloc'd while the upload's part buffer and chunks are live (strace: one
// worker thread growing the heap by 20 MiB in 130 ms). An upload's JS is glue around native crypto
// and I/O: without TurboFan it took no more CPU (1 GiB: peak 124 -> 105-109 MiB). A download
// took twice the CPU without it (and met its target with it), so it keeps TurboFan. The tiering
// budget of 2^31 keeps rarely-hot wasm (the parser) on its baseline code.
export const UPLOAD_NODE_TUNING = ['--no-opt', '--wasm-tiering-budget=2000000000'];

/** The node options for a CLI run with these arguments: UPLOAD_NODE_TUNING too when the command uploads a file. */
export function nodeTuning(args) {
  // The command is the first argument that is not an option (--server takes a value).
  let command;
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--server') i++;
    else if (!args[i].startsWith('-')) {
      command = args[i];
      break;
    }
  }
  return command === 'upload' || command === 'update' ? [...NODE_TUNING, ...UPLOAD_NODE_TUNING] : NODE_TUNING;
}

/** True when this process already runs with the tuning (or the user opted out with COFFER_NO_RELAUNCH=1). */
export function isTuned(env = process.env) {
  return env.COFFER_NO_RELAUNCH === '1' || Object.entries(MALLOC_TUNING).every(([k, v]) => env[k] === v);
}

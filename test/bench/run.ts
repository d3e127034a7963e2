/**
 * `npm run bench`: client crypto throughput and peak RSS (with openssl and age baselines) and the
 * server-side p50/p99 of every API operation on the local stack, printed and written to
 * docs/benchmarks.md (+ docs/bench-results/latest.json). Exit code 0 even when a target is missed.
 * Knobs: see the "How to run" section that report.ts writes into docs/benchmarks.md.
 */
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
process.env.DDB_LOCAL_TELEMETRY ??= '0';

import { mkdir, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { loadAverage, machine } from './machine.js';
import { type BenchRun, consoleReport, markdownReport } from './report.js';
import { MiB } from './stats.js';

function intEnv(name: string, fallback: number, min: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min) throw new Error(`${name} must be an integer ≥ ${min}, got "${raw}"`);
  return value;
}

function choice<T extends string>(name: string, options: readonly T[]): T {
  const raw = process.env[name] ?? options[0]!;
  if (!options.includes(raw as T)) throw new Error(`${name} must be one of ${options.join(', ')}, got "${raw}"`);
  return raw as T;
}

async function main(): Promise<void> {
  const sizeMiB = intEnv('BENCH_SIZE_MIB', 1024, 1);
  const repeats = intEnv('BENCH_REPEATS', 5, 1);
  const iterations = intEnv('BENCH_API_N', 200, 1);
  const warmup = intEnv('BENCH_API_WARMUP', 20, 0);
  const readChunkKiB = intEnv('BENCH_READ_CHUNK_KIB', 1024, 1);
  const only = choice('BENCH_ONLY', ['all', 'crypto', 'api'] as const);
  const worker = choice('BENCH_WORKER', ['bundle', 'tsx'] as const);
  const reader = choice('BENCH_READER', ['node', 'blob', 'handle'] as const);
  const write = process.env.BENCH_WRITE !== '0' && only === 'all';
  const log = (line: string) => console.log(line);

  const run: BenchRun = {
    date: new Date().toISOString(),
    machine: machine(),
    loadBefore: loadAverage(),
    loadAfter: '',
    settings: { BENCH_SIZE_MIB: sizeMiB, BENCH_REPEATS: repeats, BENCH_API_N: iterations, BENCH_API_WARMUP: warmup, BENCH_WORKER: worker, BENCH_READER: reader, BENCH_READ_CHUNK_KIB: readChunkKiB },
  };
  log(`Coffer benchmarks: ${run.machine.cpuModel}, ${run.machine.cores} cores, Node ${run.machine.node}, load average ${run.loadBefore}`);
  if (Number(run.loadBefore.split(' ')[0]) > 0.5 * run.machine.cores) {
    log(`  note: the machine is busy (load average ${run.loadBefore} on ${run.machine.cores} cores): figures will be noisy`);
  }

  if (only !== 'api') {
    log(`\n[1/2] client crypto: ${sizeMiB} MiB, ${repeats} repeat(s), with openssl and age baselines`);
    const { cryptoBench } = await import('./cryptoBench.js');
    run.crypto = await cryptoBench({ sizeBytes: sizeMiB * MiB, repeats, worker, reader, readChunk: readChunkKiB * 1024, log });
  }
  if (only !== 'crypto') {
    log(`\n[2/2] server API on the local stack: ${iterations} requests per operation`);
    const { apiBench } = await import('./apiBench.js');
    run.api = await apiBench({ iterations, warmup, log });
  }
  run.loadAfter = loadAverage();

  log(`\n${consoleReport(run)}`);

  if (write) {
    const docs = fileURLToPath(new URL('../../docs/', import.meta.url));
    await mkdir(`${docs}bench-results`, { recursive: true });
    await writeFile(`${docs}benchmarks.md`, markdownReport(run));
    await writeFile(`${docs}bench-results/latest.json`, `${JSON.stringify(run, null, 2)}\n`);
    log('\nWrote docs/benchmarks.md and docs/bench-results/latest.json');
  } else {
    log('\nNot writing docs/benchmarks.md (BENCH_ONLY or BENCH_WRITE=0).');
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
    process.exit(1);
  },
);

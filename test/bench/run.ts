/**
 * `npm run bench`: client crypto throughput and peak RSS (with openssl and age baselines), the
 * server-side p50/p99 of every API operation on the local stack, and the permission benchmark
 * (access-check DynamoDB calls and latency, sharing with 1,000 users and with a group of 1,000),
 * printed and written to docs/benchmarks.md (+ docs/bench-results/latest.json). Exit code 0 even
 * when a target is missed; 1 when a part fails to run (its error is in the report).
 * One part only: `npm run bench -- --only permissions` (or BENCH_ONLY=permissions); prints, writes nothing
 * (`--only shared-with-me`: the "shared with me" listing for 0, 10 and 100 groups, only this way),
 * except `--only large-files`, which rewrites its own section of docs/benchmarks.md and
 * docs/bench-results/large-files.json (the rest of the file is left as the last full run wrote it),
 * `--only audit`, which does the same with the audit-log section and docs/bench-results/audit.json,
 * and `--only web` (the web app's budgets in Chromium, issue 15), the same with its section and docs/bench-results/web.json.
 * Knobs: see the "How to run" section that report.ts writes into docs/benchmarks.md.
 */
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
process.env.DDB_LOCAL_TELEMETRY ??= '0';

import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { loadAverage, machine } from './machine.js';
import { largeFileMarkdown, spliceSection } from './largeFileReport.js';
import { auditMarkdown, keptAnalysis, spliceAuditSection } from './auditReport.js';
import { keptWebAnalysis, spliceWebSection, webMarkdown } from './webReport.js';
import { handSections, keepHandSections } from './handSections.js';
import { type BenchRun, consoleReport, markdownReport, provenanceLine } from './report.js';
import { MiB } from './stats.js';

function intEnv(name: string, fallback: number, min: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min) throw new Error(`${name} must be an integer ≥ ${min}, got "${raw}"`);
  return value;
}

function choice<T extends string>(name: string, options: readonly T[], override?: string): T {
  const raw = override ?? process.env[name] ?? options[0]!;
  if (!options.includes(raw as T)) throw new Error(`${name} must be one of ${options.join(', ')}, got "${raw}"`);
  return raw as T;
}

/** `--only <part>` (or `--only=<part>`) on the command line: `npm run bench -- --only permissions`. */
function onlyArgument(argv: readonly string[]): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--only') {
      const value = argv[i + 1];
      if (value === undefined) throw new Error('--only needs a part: crypto, api, permissions, large-files, audit, web or shared-with-me');
      return value;
    }
    if (arg.startsWith('--only=')) return arg.slice('--only='.length);
    throw new Error(`Unknown argument "${arg}": the only option is --only <crypto|api|permissions|large-files|audit|web|shared-with-me> (other knobs are BENCH_* variables)`);
  }
  return undefined;
}

/** A comma-separated list of sizes in MiB, e.g. BENCH_LARGE_SIZES_MIB=1024,5120. */
function sizeList(name: string, fallback: number[]): number[] {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const sizes = raw.split(',').map((v) => Number(v.trim()));
  if (sizes.some((v) => !Number.isInteger(v) || v < 1)) throw new Error(`${name} must be sizes in MiB separated by commas, got "${raw}"`);
  return sizes;
}

async function main(): Promise<void> {
  const sizeMiB = intEnv('BENCH_SIZE_MIB', 1024, 1);
  const repeats = intEnv('BENCH_REPEATS', 5, 1);
  const iterations = intEnv('BENCH_API_N', 200, 1);
  const warmup = intEnv('BENCH_API_WARMUP', 20, 0);
  const readChunkKiB = intEnv('BENCH_READ_CHUNK_KIB', 1024, 1);
  const permIterations = intEnv('BENCH_PERM_N', 200, 1);
  const permWarmup = intEnv('BENCH_PERM_WARMUP', 20, 0);
  const shareUsers = intEnv('BENCH_SHARE_USERS', 1000, 2);
  const shareRepeats = intEnv('BENCH_SHARE_REPEATS', 3, 1);
  const shareConcurrency = intEnv('BENCH_SHARE_CONCURRENCY', 1, 1);
  const largeSizes = sizeList('BENCH_LARGE_SIZES_MIB', [1024, 5120]);
  const largeRepeats = intEnv('BENCH_LARGE_REPEATS', 1, 1);
  const largeVariants = intEnv('BENCH_LARGE_VARIANTS', 1, 0) > 0;
  const auditSingle = intEnv('BENCH_AUDIT_SINGLE', 500, 1);
  const auditWriters = sizeList('BENCH_AUDIT_WRITERS', [10, 50]);
  const auditEvents = intEnv('BENCH_AUDIT_EVENTS', 2000, 1);
  const auditVerify = sizeList('BENCH_AUDIT_VERIFY', [10_000, 50_000]);
  const auditFillWriters = intEnv('BENCH_AUDIT_FILL_WRITERS', 16, 1);
  const auditApiN = intEnv('BENCH_AUDIT_API_N', 200, 1);
  const auditFill = choice('BENCH_AUDIT_FILL', ['bulk', 'record'] as const);
  const webMiB = intEnv('BENCH_WEB_MIB', 1024, 1);
  const webRenderRuns = intEnv('BENCH_WEB_RENDER_RUNS', 5, 1);
  const only = choice('BENCH_ONLY', ['all', 'crypto', 'api', 'permissions', 'large-files', 'audit', 'web', 'shared-with-me'] as const, onlyArgument(process.argv.slice(2)));
  const worker = choice('BENCH_WORKER', ['bundle', 'tsx'] as const);
  const reader = choice('BENCH_READER', ['node', 'blob', 'handle'] as const);
  const write = process.env.BENCH_WRITE !== '0' && only === 'all';
  const log = (line: string) => console.log(line);

  const run: BenchRun = {
    date: new Date().toISOString(),
    machine: machine(),
    loadBefore: loadAverage(),
    loadAfter: '',
    settings: {
      BENCH_SIZE_MIB: sizeMiB,
      BENCH_REPEATS: repeats,
      BENCH_API_N: iterations,
      BENCH_API_WARMUP: warmup,
      BENCH_WORKER: worker,
      BENCH_READER: reader,
      BENCH_READ_CHUNK_KIB: readChunkKiB,
      BENCH_PERM_N: permIterations,
      BENCH_PERM_WARMUP: permWarmup,
      BENCH_SHARE_USERS: shareUsers,
      BENCH_SHARE_REPEATS: shareRepeats,
      BENCH_SHARE_CONCURRENCY: shareConcurrency,
      BENCH_LARGE_SIZES_MIB: largeSizes.join(','),
      BENCH_LARGE_REPEATS: largeRepeats,
      BENCH_LARGE_VARIANTS: largeVariants ? 1 : 0,
      BENCH_AUDIT_SINGLE: auditSingle,
      BENCH_AUDIT_WRITERS: auditWriters.join(','),
      BENCH_AUDIT_EVENTS: auditEvents,
      BENCH_AUDIT_VERIFY: auditVerify.join(','),
      BENCH_AUDIT_FILL: auditFill,
      BENCH_AUDIT_FILL_WRITERS: auditFillWriters,
      BENCH_AUDIT_API_N: auditApiN,
      BENCH_WEB_MIB: webMiB,
      BENCH_WEB_RENDER_RUNS: webRenderRuns,
    },
    failures: [],
  };
  log(`Coffer benchmarks: ${run.machine.cpuModel}, ${run.machine.cores} cores, Node ${run.machine.node}, load average ${run.loadBefore}`);
  if (Number(run.loadBefore.split(' ')[0]) > 0.5 * run.machine.cores) {
    log(`  note: the machine is busy (load average ${run.loadBefore} on ${run.machine.cores} cores): figures will be noisy`);
  }

  // A part that throws is reported (and the exit code is 1); the other parts still run.
  const part = async (label: string, work: () => Promise<void>) => {
    try {
      await work();
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      log(`  FAILED: ${message}`);
      if (error instanceof Error && error.stack) console.error(error.stack);
      run.failures.push({ part: label, error: message });
    }
  };
  if (only === 'all' || only === 'crypto') {
    log(`\n[1/4] client crypto: ${sizeMiB} MiB, ${repeats} repeat(s), with openssl and age baselines`);
    await part('client crypto', async () => {
      const { cryptoBench } = await import('./cryptoBench.js');
      run.crypto = await cryptoBench({ sizeBytes: sizeMiB * MiB, repeats, worker, reader, readChunk: readChunkKiB * 1024, log });
    });
  }
  if (only === 'all' || only === 'api') {
    log(`\n[2/4] server API on the local stack: ${iterations} requests per operation`);
    await part('server API', async () => {
      const { apiBench } = await import('./apiBench.js');
      run.api = await apiBench({ iterations, warmup, log });
    });
  }
  if (only === 'all' || only === 'permissions') {
    log(`\n[3/4] permissions on the local stack: ${permIterations} checks per cell, sharing with ${shareUsers} users and a group of ${shareUsers}`);
    await part('permissions', async () => {
      const { permissionBench } = await import('./permissionBench.js');
      run.permissions = await permissionBench({ iterations: permIterations, warmup: permWarmup, shareUsers, shareRepeats, shareConcurrency, log });
    });
  }
  if (only === 'all' || only === 'large-files') {
    log(`\n[4/4] large files through the CLI on the local stack: ${largeSizes.map((m) => `${m} MiB`).join(', ')}, ${largeRepeats} upload(s) and download(s) each`);
    await part('large files', async () => {
      const { largeFileBench } = await import('./largeFileBench.js');
      run.largeFiles = await largeFileBench({ sizesMiB: largeSizes, repeats: largeRepeats, variants: largeVariants, log });
    });
  }
  if (only === 'all' || only === 'audit') {
    log(`\n[5/5] audit log on the local stack: append (1, ${auditWriters.join(', ')} writers), verify ${auditVerify.join(' and ')} events, checkpoints, API requests with and without their event`);
    await part('audit log', async () => {
      const { auditBench } = await import('./auditBench.js');
      run.audit = await auditBench({
        singleEvents: auditSingle,
        writers: auditWriters,
        concurrentEvents: auditEvents,
        verifySizes: auditVerify,
        fillWriters: auditFillWriters,
        fill: auditFill,
        apiN: auditApiN,
        apiWarmup: warmup,
        warmup: 50,
        log,
      });
    });
  }
  if (only === 'all' || only === 'web') {
    log(`\n[6/6] the web app in Chromium on the local stack: sign-in page scripts, first render (${webRenderRuns} runs), ${webMiB} MiB up and down through the page beside the CLI`);
    await part('web app', async () => {
      const { webBench } = await import('./webBench.js');
      run.web = await webBench({ sizeMiB: webMiB, renderRuns: webRenderRuns, log });
    });
  }
  if (only === 'shared-with-me') {
    // Printed only (docs/benchmarks.md, "Shared with me" records a run by hand, kept by a full run): not part of one.
    log(`\n[shared with me] GET /documents for a caller in 0, 10 and 100 groups: ${permIterations} pages each`);
    await part('shared with me', async () => {
      const { sharedWithMeBench } = await import('./sharedWithMeBench.js');
      await sharedWithMeBench({ iterations: permIterations, warmup: permWarmup, log });
    });
  }
  run.loadAfter = loadAverage();

  log(`\n${consoleReport(run)}`);

  const partWrite = process.env.BENCH_WRITE !== '0';
  if (only === 'large-files' && run.largeFiles && partWrite) {
    const results = run.largeFiles;
    await writePartSection('large-file', 'large-files.json', run, log, (current) => spliceSection(current, largeFileMarkdown(results, provenanceLine(run))));
  }
  if (only === 'audit' && run.audit && partWrite) {
    const results = run.audit;
    await writePartSection('audit-log', 'audit.json', run, log, (current) => spliceAuditSection(current, auditMarkdown(results, provenanceLine(run, 'BENCH_AUDIT'), keptAnalysis(current))));
  }
  if (only === 'web' && run.web && partWrite) {
    const results = run.web;
    await writePartSection('web', 'web.json', run, log, (current) => spliceWebSection(current, webMarkdown(results, provenanceLine(run, 'BENCH_WEB'), keptWebAnalysis(current))));
  }
  if (write) {
    const docs = fileURLToPath(new URL('../../docs/', import.meta.url));
    await mkdir(`${docs}bench-results`, { recursive: true });
    const current = await readFile(`${docs}benchmarks.md`, 'utf8').catch(() => '');
    // Hand-recorded sections (a before/after, a part only `--only` runs) survive the rewrite.
    await writeFile(`${docs}benchmarks.md`, keepHandSections(markdownReport(run, keptAnalysis(current), keptWebAnalysis(current)), handSections(current)));
    await writeFile(`${docs}bench-results/latest.json`, `${JSON.stringify(run, null, 2)}\n`);
    log('\nWrote docs/benchmarks.md and docs/bench-results/latest.json');
  } else {
    log('\nNot rewriting the whole of docs/benchmarks.md (BENCH_ONLY, --only or BENCH_WRITE=0).');
  }
  if (run.failures.length > 0) process.exitCode = 1;
}

/** `--only <part>`: that part's own section of docs/benchmarks.md rewritten (the rest left as it was), and docs/bench-results/<json>. */
async function writePartSection(label: string, json: string, run: BenchRun, log: (line: string) => void, section: (current: string) => string): Promise<void> {
  const docs = fileURLToPath(new URL('../../docs/', import.meta.url));
  const current = await readFile(`${docs}benchmarks.md`, 'utf8').catch(() => '# Coffer benchmarks\n');
  await writeFile(`${docs}benchmarks.md`, section(current));
  await mkdir(`${docs}bench-results`, { recursive: true });
  await writeFile(`${docs}bench-results/${json}`, `${JSON.stringify(run, null, 2)}\n`);
  log(`\nWrote the ${label} section of docs/benchmarks.md and docs/bench-results/${json}`);
}

main().then(
  () => process.exit(process.exitCode ?? 0),
  (error: unknown) => {
    console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
    process.exit(1);
  },
);

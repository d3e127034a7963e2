/**
 * Client crypto throughput on a generated file, with age and openssl as baselines.
 *
 * Every measured run is its own process (the Coffer worker, age, openssl), so peak RSS is that
 * process's own. Runs are interleaved (Coffer encrypt, age encrypt, Coffer decrypt, age decrypt)
 * and repeated; the figure is the best run of each, the same rule for Coffer and age.
 */
import { execFileSync, spawn } from 'node:child_process';
import { createHash, createCipheriv } from 'node:crypto';
import { createReadStream, existsSync } from 'node:fs';
import { mkdtemp, open, readFile, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { ciphertextSize } from '../../shared/core/crypto/index.js';
import type { WorkerResult } from './cryptoWorker.js';
import { MiB } from './stats.js';

export interface CryptoBenchOptions {
  sizeBytes: number;
  repeats: number;
  /** `bundle` (default): the worker bundled with esbuild and run by plain node; `tsx`: node --import tsx. */
  worker: 'bundle' | 'tsx';
  reader: Exclude<keyof typeof READERS, 'sdk'>;
  readChunk: number;
  log: (line: string) => void;
}

/** One timed run of one process. */
export interface Run {
  seconds: number;
  /** Peak resident set of the process, KiB (getrusage ru_maxrss). undefined when it could not be read. */
  maxRssKiB: number | undefined;
  /** Coffer worker only: peak anonymous RSS, sampled (maxRSS less the node binary's file-backed pages). */
  peakAnonRssKiB?: number;
  /** User + system CPU seconds of the process. */
  cpuSeconds: number | undefined;
  minorPageFaults?: number;
}

export interface CryptoResults {
  sizeBytes: number;
  ciphertextBytes: number;
  workDir: string;
  generator: { seconds: number; sha256: string };
  coffer: {
    worker: string;
    reader: string;
    readChunk: number;
    idleRssKiB: number;
    idleAnonRssKiB: number | undefined;
    /** CPU seconds of the worker started and stopped with no work: subtracted from the per-GiB CPU figures. */
    idleCpuSeconds: number;
    /** The same file streams with no crypto (plaintext file to file): what the I/O path alone costs. */
    copy: Run[];
    encrypt: Run[];
    decrypt: Run[];
    roundTripVerified: boolean;
  };
  /**
   * The same worker set up the way the coffer CLI runs (client/cli): the SDK's openFile() reader and the
   * launcher's glibc malloc tuning (client/cli/launcherEnv.js). undefined when that tuning is not found.
   */
  cli?: { reader: string; env: Record<string, string>; encrypt: Run[]; decrypt: Run[]; roundTripVerified: boolean };
  age:
    | { available: false; reason: string }
    | {
        available: true;
        version: string;
        rssSource: '/usr/bin/time' | 'none';
        encrypt: Run[];
        decrypt: Run[];
        roundTripVerified: boolean;
      };
  openssl: { available: false; reason: string } | { available: true; version: string; command: string; bytesPerSecond16k: number; row: string };
}

const DOC_ID = 'benchBenchBenchBench00';

const cpuNote = (r: WorkerResult) =>
  `, CPU ${r.cpuSeconds.toFixed(2)} s (system ${(r.systemCpuSeconds ?? 0).toFixed(2)}), ${Math.round(r.minorPageFaults / 1000)}k page faults`;
const mib = (kib: number | undefined) => (kib === undefined ? 'n/a' : (kib / 1024).toFixed(0));

const READERS = {
  node: (chunk: number) => `Readable.toWeb(fs.createReadStream(highWaterMark ${chunk / 1024} KiB))`,
  blob: () => 'fs.openAsBlob().stream()',
  handle: (chunk: number) => `a byte stream of FileHandle.read() into fresh ${chunk / 1024} KiB buffers`,
  sdk: () => 'the client SDK\'s openFile() (FileHandle.read into fresh 1 MiB buffers)',
} as const;

/** The environment the coffer launcher (client/cli/bin.js) gives the CLI on Linux, read from the CLI itself. */
export async function cliLauncherEnv(): Promise<Record<string, string> | undefined> {
  try {
    const url = new URL('../../client/cli/launcherEnv.js', import.meta.url).href;
    const mod = (await import(url)) as { MALLOC_TUNING?: Record<string, string> };
    return process.platform === 'linux' ? mod.MALLOC_TUNING : {};
  } catch {
    return undefined;
  }
}

/** Deterministic, fast input: the AES-128-CTR keystream of a fixed key (hashes as it writes). */
export async function generate(path: string, size: number): Promise<{ seconds: number; sha256: string }> {
  const started = performance.now();
  const keystream = createCipheriv('aes-128-ctr', Buffer.alloc(16, 0x42), Buffer.alloc(16, 0));
  const hash = createHash('sha256');
  const zeros = Buffer.alloc(8 * MiB);
  const file = await open(path, 'w');
  try {
    for (let written = 0; written < size; ) {
      const n = Math.min(zeros.length, size - written);
      const block = keystream.update(zeros.subarray(0, n));
      hash.update(block);
      await file.write(block);
      written += n;
    }
  } finally {
    await file.close();
  }
  return { seconds: (performance.now() - started) / 1000, sha256: hash.digest('hex') };
}

export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path, { highWaterMark: 4 * MiB })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** Flush dirty pages so the previous run's writeback does not land in the next run's time. */
export function settle(): void {
  try {
    execFileSync('sync', { stdio: 'ignore' });
  } catch {
    // no sync(1): measurements are only noisier
  }
}

export function has(command: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

function run(command: string, args: string[], env?: NodeJS.ProcessEnv): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env: env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-8000)));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

export async function removeIfPresent(path: string): Promise<void> {
  await rm(path, { force: true });
}

/** The worker as plain JS (esbuild), so its RSS is not inflated by tsx's loader thread (~70 MiB). */
export async function workerCommand(options: CryptoBenchOptions, dir: string): Promise<{ command: string; args: string[]; label: string }> {
  const source = fileURLToPath(new URL('./cryptoWorker.ts', import.meta.url));
  if (options.worker === 'tsx') return { command: process.execPath, args: ['--import', 'tsx', source], label: 'node --import tsx cryptoWorker.ts' };
  const outfile = join(dir, 'cryptoWorker.mjs');
  await build({ entryPoints: [source], bundle: true, platform: 'node', format: 'esm', target: 'node20', outfile, logLevel: 'warning' });
  return { command: process.execPath, args: [outfile], label: 'node cryptoWorker.mjs (esbuild bundle)' };
}

export async function cofferRun(
  worker: { command: string; args: string[] },
  op: 'encrypt' | 'decrypt' | 'copy' | 'idle',
  input: string,
  output: string,
  env: NodeJS.ProcessEnv,
): Promise<WorkerResult> {
  const { code, stdout, stderr } = await run(worker.command, [...worker.args, op, input, output], env);
  const line = stdout.trim().split('\n').pop() ?? '';
  if (code !== 0 || !line.startsWith('{')) throw new Error(`Coffer ${op} worker failed (exit ${code}): ${stderr.trim()}`);
  return JSON.parse(line) as WorkerResult;
}

/** age under /usr/bin/time -f when there is one: wall time from here, peak RSS and CPU from time(1). */
export async function ageRun(args: string[], timeFile: string, useTime: boolean): Promise<Run> {
  const started = performance.now();
  const result = useTime
    ? await run('/usr/bin/time', ['-f', '%M %U %S', '-o', timeFile, 'age', ...args])
    : await run('age', args);
  const seconds = (performance.now() - started) / 1000;
  if (result.code !== 0) throw new Error(`age ${args.join(' ')} failed (exit ${result.code}): ${result.stderr.trim()}`);
  if (!useTime) return { seconds, maxRssKiB: undefined, cpuSeconds: undefined };
  const [rss, user, sys] = (await readFile(timeFile, 'utf8')).trim().split('\n').pop()!.split(/\s+/).map(Number);
  return { seconds, maxRssKiB: rss, cpuSeconds: (user ?? 0) + (sys ?? 0) };
}

/** `openssl speed -evp aes-256-gcm -seconds 3`: the 16384-byte column, single core. */
export async function opensslSpeed(log: (line: string) => void): Promise<CryptoResults['openssl']> {
  if (!has('openssl')) return { available: false, reason: 'openssl is not installed' };
  const version = execFileSync('openssl', ['version'], { encoding: 'utf8' }).trim();
  const args = ['speed', '-evp', 'aes-256-gcm', '-seconds', '3'];
  log(`  openssl ${args.join(' ')} (about 18 s)...`);
  const { code, stdout, stderr } = await run('openssl', args);
  if (code !== 0) return { available: false, reason: `openssl speed failed: ${stderr.trim().slice(0, 200)}` };
  const lines = stdout.split('\n');
  const header = lines.find((l) => /^type\s/.test(l));
  const row = lines.find((l) => /^aes-256-gcm\s/i.test(l.trim()));
  if (!header || !row) return { available: false, reason: 'could not parse openssl speed output' };
  const columns = header.replace(/^type\s+/, '').split(/\s+bytes\s*/).filter(Boolean);
  const index = columns.indexOf('16384');
  const values = row.trim().split(/\s+/).slice(1);
  const cell = values[index];
  if (index < 0 || !cell?.endsWith('k')) return { available: false, reason: 'no 16384-byte column in openssl speed output' };
  // openssl speed reports 1000s of bytes per second.
  return { available: true, version, command: `openssl ${args.join(' ')}`, bytesPerSecond16k: Number(cell.slice(0, -1)) * 1000, row: row.trim() };
}

export async function cryptoBench(options: CryptoBenchOptions): Promise<CryptoResults> {
  const { log, sizeBytes } = options;
  const dir = await mkdtemp(join(os.tmpdir(), 'coffer-bench-'));
  try {
    const plain = join(dir, 'plain.bin');
    const sealed = join(dir, 'coffer.enc');
    const opened = join(dir, 'coffer.dec');
    const ageSealed = join(dir, 'age.enc');
    const ageOpened = join(dir, 'age.dec');
    const timeFile = join(dir, 'time.txt');

    log(`  generating ${(sizeBytes / MiB).toFixed(0)} MiB in ${dir} ...`);
    const generator = await generate(plain, sizeBytes);
    log(`  generated in ${generator.seconds.toFixed(1)} s, sha256 ${generator.sha256.slice(0, 16)}...`);

    const worker = await workerCommand(options, dir);
    const dek = createHash('sha256').update('coffer benchmark data key').digest('hex');
    const env = { ...process.env, BENCH_DEK: dek, BENCH_DOC_ID: DOC_ID, BENCH_READER: options.reader, BENCH_READ_CHUNK: String(options.readChunk) };
    const idle = await cofferRun(worker, 'idle', '', '', env);
    const launcherEnv = await cliLauncherEnv();
    const cliEnv = launcherEnv ? { ...env, ...launcherEnv, BENCH_READER: 'sdk' } : undefined;
    const cliSealed = join(dir, 'cli.enc');
    const cliOpened = join(dir, 'cli.dec');

    const ageAvailable = has('age') && has('age-keygen');
    const useTime = existsSync('/usr/bin/time');
    let recipient = '';
    let ageVersion = '';
    if (ageAvailable) {
      ageVersion = execFileSync('age', ['--version'], { encoding: 'utf8' }).trim();
      execFileSync('age-keygen', ['-o', join(dir, 'key.txt')], { stdio: 'ignore' });
      recipient = execFileSync('age-keygen', ['-y', join(dir, 'key.txt')], { encoding: 'utf8' }).trim();
    }

    const coffer = { copy: [] as Run[], encrypt: [] as Run[], decrypt: [] as Run[], verified: true };
    const age = { encrypt: [] as Run[], decrypt: [] as Run[] };
    const cli = { encrypt: [] as Run[], decrypt: [] as Run[], verified: true };
    const expectedCiphertext = ciphertextSize(sizeBytes);
    // Trial 0 is a warm-up round for every tool (the first round after generating the file runs slow on this VM); not recorded.
    // Every run deletes its own previous output just before it starts, so each writes into memory freed a moment ago: on this
    // VM, writing into memory freed long before (returned to the hypervisor) made the same run up to 3x slower.
    for (let trial = 0; trial <= options.repeats; trial++) {
      const tag = trial === 0 ? '[warm-up]' : `[${trial}/${options.repeats}]`;
      const keep = trial > 0;
      await removeIfPresent(opened);
      settle();
      const copy = await cofferRun(worker, 'copy', plain, opened, env);
      if (keep) coffer.copy.push(copy);
      log(`  ${tag} I/O path only (same streams, no crypto) ${copy.seconds.toFixed(2)} s, peak RSS ${mib(copy.maxRssKiB)} MiB`);

      await removeIfPresent(sealed);
      settle();
      const enc = await cofferRun(worker, 'encrypt', plain, sealed, env);
      if (enc.bytesOut !== expectedCiphertext) throw new Error(`Coffer ciphertext is ${enc.bytesOut} bytes, expected ${expectedCiphertext}`);
      if (keep) coffer.encrypt.push(enc);
      log(`  ${tag} coffer encrypt ${enc.seconds.toFixed(2)} s, peak RSS ${mib(enc.maxRssKiB)} MiB (anonymous ${mib(enc.peakAnonRssKiB)} MiB)${cpuNote(enc)}`);

      if (cliEnv) {
        await removeIfPresent(cliSealed);
        settle();
        const r = await cofferRun(worker, 'encrypt', plain, cliSealed, cliEnv);
        if (r.bytesOut !== expectedCiphertext) throw new Error(`Coffer (CLI setup) ciphertext is ${r.bytesOut} bytes, expected ${expectedCiphertext}`);
        if (keep) cli.encrypt.push(r);
        log(`  ${tag} coffer encrypt, CLI setup ${r.seconds.toFixed(2)} s, peak RSS ${mib(r.maxRssKiB)} MiB (anonymous ${mib(r.peakAnonRssKiB)} MiB)${cpuNote(r)}`);
      }

      if (ageAvailable) {
        await removeIfPresent(ageSealed);
        settle();
        const r = await ageRun(['-r', recipient, '-o', ageSealed, plain], timeFile, useTime);
        if (keep) age.encrypt.push(r);
        log(`  ${tag} age    encrypt ${r.seconds.toFixed(2)} s${r.maxRssKiB ? `, peak RSS ${(r.maxRssKiB / 1024).toFixed(0)} MiB` : ''}`);
      }

      await removeIfPresent(opened);
      settle();
      const dec = await cofferRun(worker, 'decrypt', sealed, opened, env);
      if (keep) coffer.decrypt.push(dec);
      log(`  ${tag} coffer decrypt ${dec.seconds.toFixed(2)} s, peak RSS ${mib(dec.maxRssKiB)} MiB (anonymous ${mib(dec.peakAnonRssKiB)} MiB)${cpuNote(dec)}`);
      const ok = dec.bytesOut === sizeBytes && (await sha256File(opened)) === generator.sha256;
      if (!ok) log('  ROUND TRIP FAILED: the decrypted file differs from the input');
      coffer.verified &&= ok; // the warm-up round is verified too

      if (cliEnv) {
        await removeIfPresent(cliOpened);
        settle();
        const r = await cofferRun(worker, 'decrypt', sealed, cliOpened, cliEnv);
        if (keep) cli.decrypt.push(r);
        log(`  ${tag} coffer decrypt, CLI setup ${r.seconds.toFixed(2)} s, peak RSS ${mib(r.maxRssKiB)} MiB (anonymous ${mib(r.peakAnonRssKiB)} MiB)${cpuNote(r)}`);
        const same = r.bytesOut === sizeBytes && (await sha256File(cliOpened)) === generator.sha256;
        if (!same) log('  ROUND TRIP FAILED (CLI setup): the decrypted file differs from the input');
        cli.verified &&= same;
      }

      if (ageAvailable) {
        await removeIfPresent(ageOpened);
        settle();
        const r = await ageRun(['-d', '-i', join(dir, 'key.txt'), '-o', ageOpened, ageSealed], timeFile, useTime);
        if (keep) age.decrypt.push(r);
        log(`  ${tag} age    decrypt ${r.seconds.toFixed(2)} s${r.maxRssKiB ? `, peak RSS ${(r.maxRssKiB / 1024).toFixed(0)} MiB` : ''}`);
      }
    }
    const ageVerified = ageAvailable ? (await stat(ageOpened)).size === sizeBytes && (await sha256File(ageOpened)) === generator.sha256 : false;
    // Free the page cache's dirty data before openssl runs.
    for (const f of [sealed, opened, cliSealed, cliOpened, ageSealed, ageOpened]) await removeIfPresent(f);
    settle();
    const openssl = await opensslSpeed(log);

    return {
      sizeBytes,
      ciphertextBytes: expectedCiphertext,
      workDir: dir,
      generator,
      coffer: {
        worker: worker.label,
        reader: READERS[options.reader](options.readChunk),
        readChunk: options.readChunk,
        idleRssKiB: idle.maxRssKiB,
        idleAnonRssKiB: idle.peakAnonRssKiB,
        idleCpuSeconds: idle.cpuSeconds,
        copy: coffer.copy,
        encrypt: coffer.encrypt,
        decrypt: coffer.decrypt,
        roundTripVerified: coffer.verified,
      },
      ...(cliEnv && launcherEnv
        ? { cli: { reader: READERS.sdk(), env: launcherEnv, encrypt: cli.encrypt, decrypt: cli.decrypt, roundTripVerified: cli.verified } }
        : {}),
      age: ageAvailable
        ? { available: true, version: ageVersion, rssSource: useTime ? '/usr/bin/time' : 'none', encrypt: age.encrypt, decrypt: age.decrypt, roundTripVerified: ageVerified }
        : { available: false, reason: 'age is not installed (apt-get install -y age)' },
      openssl,
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

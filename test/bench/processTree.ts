/**
 * Runs a command and measures the memory of its whole process tree (Linux /proc), for client
 * processes that re-execute themselves (the coffer launcher: `node bin.js` -> `node bin.js` with
 * the allocator tuning). Every process in the tree is sampled every few ms: its VmHWM (the
 * kernel's own peak of its resident set), and its resident set split into anonymous memory
 * (heap, buffers) and file-backed pages (mostly the node binary). The tree's total is the sum of
 * the processes' resident sets at one sample. New processes are found by scanning /proc every
 * 100 ms (the re-executed CLI starts within its launcher's first 100 ms and lives on). When /usr/bin/time (GNU time) is there, the command
 * runs under it, and its %M (getrusage: the largest peak of any one process in the tree) is kept
 * as a check on the sampling.
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';

export interface ProcessPeak {
  pid: number;
  ppid: number;
  /** The command line, shortened. */
  command: string;
  /** VmHWM: the process's peak resident set, KiB (the kernel's figure, exact). */
  peakRssKiB: number;
  /** Highest anonymous resident memory seen in a sample, KiB. */
  peakAnonKiB: number;
  /** Highest file-backed resident memory seen in a sample, KiB. */
  peakFileKiB: number;
}

export interface TreeRun {
  code: number | null;
  stdout: string;
  stderr: string;
  /** Wall time from spawn to exit. */
  seconds: number;
  /** Every process seen in the tree, by pid (GNU time itself is left out). */
  processes: ProcessPeak[];
  /** The pid of the command itself (under GNU time: time's child). */
  rootPid: number | undefined;
  /** Highest sum of the tree's resident sets in one sample, KiB. */
  peakTreeRssKiB: number;
  /** GNU time's %M (the largest peak of one process in the tree), %U and %S; undefined without /usr/bin/time. */
  time?: { maxRssKiB: number; userSeconds: number; systemSeconds: number };
}

const GNU_TIME = '/usr/bin/time';
/** Known processes are sampled this often; the whole of /proc is scanned for new ones every DISCOVER_EVERY samples. */
const SAMPLE_MS = 20;
const DISCOVER_EVERY = 5;

/** One process's /proc/<pid>/status figures, KiB. */
export interface Status {
  ppid: number;
  hwm: number;
  anon: number;
  file: number;
  rss: number;
}

export function statusOf(pid: number): Status | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return undefined; // exited
  }
  const field = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+)`, 'm').exec(text)?.[1] ?? 0);
  return { ppid: field('PPid'), hwm: field('VmHWM'), anon: field('RssAnon'), file: field('RssFile') + field('RssShmem'), rss: field('VmRSS') };
}

function commandOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ').slice(0, 120);
  } catch {
    return '';
  }
}

/** The pids below `root` (not root itself), from every process's parent pid. */
export function descendants(root: number): Map<number, Status> {
  const all = new Map<number, Status>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const status = statusOf(Number(name));
    if (status) all.set(Number(name), status);
  }
  const found = new Map<number, Status>();
  const queue = [root];
  while (queue.length > 0) {
    const parent = queue.shift()!;
    for (const [pid, status] of all) {
      if (status.ppid === parent && !found.has(pid)) {
        found.set(pid, status);
        queue.push(pid);
      }
    }
  }
  return found;
}

export function runMeasured(command: string, args: string[], options: { env?: NodeJS.ProcessEnv; cwd?: string } = {}): Promise<TreeRun> {
  const timeFile = join(os.tmpdir(), `coffer-bench-time-${process.pid}-${Date.now()}.txt`);
  const useTime = existsSync(GNU_TIME);
  const [file, argv] = useTime ? [GNU_TIME, ['-f', '%M %U %S', '-o', timeFile, command, ...args]] : [command, args];
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(file, argv, { env: options.env ?? process.env, cwd: options.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-8000)));
    const peaks = new Map<number, ProcessPeak>();
    let peakTree = 0;
    // The server side of the benchmark (s3rver, the API) runs in this process too: keep sampling cheap.
    let known = new Set<number>();
    let ticks = 0;
    const sample = () => {
      if (child.pid === undefined) return;
      const tree = new Map<number, Status>();
      if (ticks++ % DISCOVER_EVERY === 0) {
        // Under GNU time the tree is time -> command -> ...; without it the command is the root.
        for (const [pid, s] of descendants(child.pid)) tree.set(pid, s);
        known = new Set(tree.keys());
      } else {
        for (const pid of known) {
          const s = statusOf(pid);
          if (s) tree.set(pid, s);
        }
      }
      if (!useTime) {
        const own = statusOf(child.pid);
        if (own) tree.set(child.pid, own);
      }
      let total = 0;
      for (const [pid, s] of tree) {
        total += s.rss;
        const p = peaks.get(pid) ?? { pid, ppid: s.ppid, command: '', peakRssKiB: 0, peakAnonKiB: 0, peakFileKiB: 0 };
        p.command ||= commandOf(pid); // empty between fork and exec: read again
        p.peakRssKiB = Math.max(p.peakRssKiB, s.hwm);
        p.peakAnonKiB = Math.max(p.peakAnonKiB, s.anon);
        p.peakFileKiB = Math.max(p.peakFileKiB, s.file);
        peaks.set(pid, p);
      }
      peakTree = Math.max(peakTree, total);
    };
    const timer = setInterval(sample, SAMPLE_MS);
    child.once('error', (error) => {
      clearInterval(timer);
      reject(error);
    });
    child.once('close', async (code) => {
      clearInterval(timer);
      const seconds = (performance.now() - started) / 1000;
      let time: TreeRun['time'];
      if (useTime) {
        const line = (await readFile(timeFile, 'utf8').catch(() => '')).trim().split('\n').pop() ?? '';
        const [rss, user, sys] = line.split(/\s+/).map(Number);
        if (Number.isFinite(rss)) time = { maxRssKiB: rss!, userSeconds: user ?? 0, systemSeconds: sys ?? 0 };
        await rm(timeFile, { force: true });
      }
      const processes = [...peaks.values()].sort((a, b) => a.pid - b.pid);
      const rootPid = useTime ? processes.find((p) => p.ppid === child.pid)?.pid : child.pid;
      resolve({ code, stdout, stderr, seconds, processes, rootPid, peakTreeRssKiB: peakTree, ...(time && { time }) });
    });
  });
}

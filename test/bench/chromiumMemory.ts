/**
 * The resident memory of the Chromium this benchmark launched, read from /proc while a transfer
 * runs (the JS-heap metric leaves out ArrayBuffers, where a transfer's bytes live). Only the
 * processes below this node process are looked at: other Chromiums on a shared machine are not
 * ours. Each process is classed by its `--type=` (none: the browser process; `renderer` holds the
 * page, its Web Workers and the Service Worker). At `start` each process's VmHWM is reset to its
 * current resident set (`clear_refs` 5), so its VmHWM at `stop` is its exact peak during the
 * transfer, not the Argon2id of the sign-in before it; the sums over all renderers are sampled.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { descendants, statusOf } from './processTree.js';

export type ChromiumKind = 'browser' | 'renderer' | 'gpu-process' | 'utility' | 'zygote' | 'other';

export interface ChromiumProcessMemory {
  pid: number;
  kind: ChromiumKind;
  /** The utility process's service (e.g. network.mojom.NetworkService), when it says. */
  service?: string;
  /** Resident set at `start` (0 for a process that started during the transfer), KiB. */
  baselineKiB: number;
  /** Highest resident set in a sample, KiB. */
  sampledPeakKiB: number;
  /** VmHWM at `stop`, reset at `start`: the kernel's exact peak during the transfer, KiB (undefined if the process ended first). */
  hwmKiB?: number;
}

/** One class of processes, summed at each sample. */
export interface ChromiumGroupMemory {
  baselineKiB: number;
  /** Highest sum of the class's resident sets at one sample, KiB. */
  peakKiB: number;
  /** peak − baseline, KiB. */
  growthKiB: number;
}

export interface ChromiumMemoryResult {
  /** Every renderer process (page, workers, Service Worker), summed. */
  renderers: ChromiumGroupMemory;
  browser: ChromiumGroupMemory;
  /** The other helpers (GPU, network and storage services), summed: reported, not budgeted. */
  others: ChromiumGroupMemory;
  /** The largest growth of one renderer process by its own VmHWM (exact, unsampled), KiB. */
  largestRendererHwmGrowthKiB: number;
  processes: ChromiumProcessMemory[];
  samples: number;
  sampleMs: number;
}

const SAMPLE_MS = 50;
/** /proc is scanned for new Chromium processes every this many samples. */
const DISCOVER_EVERY = 10;

/** Resident sets summed by class at one sample, KiB. */
interface Sums {
  renderers: number;
  browser: number;
  others: number;
}

interface Known {
  kind: ChromiumKind;
  service?: string;
  baselineKiB: number;
  sampledPeakKiB: number;
}

function classify(pid: number): { kind: ChromiumKind; service?: string } | undefined {
  let argv: string[];
  try {
    // Chromium's child processes rewrite their command line as one string, arguments joined by spaces.
    argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split(/[\0 ]/);
  } catch {
    return undefined;
  }
  // Debian's /usr/bin/chromium is a shell script that runs /usr/lib/chromium/chromium; crashpad is a helper of its own, outside our tree.
  if (!argv[0]?.endsWith('/chromium') || argv[0].startsWith('/usr/bin/')) return undefined;
  const type = argv.find((a) => a.startsWith('--type='))?.slice('--type='.length);
  const service = argv.find((a) => a.startsWith('--utility-sub-type='))?.slice('--utility-sub-type='.length);
  const kind: ChromiumKind = type === undefined ? 'browser' : (['renderer', 'gpu-process', 'utility', 'zygote'] as const).find((k) => k === type) ?? 'other';
  return { kind, ...(service && { service }) };
}

function resetPeak(pid: number): void {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
  } catch {
    // gone, or not allowed: the sampled peak still stands
  }
}

export class ChromiumMemory {
  private readonly known = new Map<number, Known>();
  private timer: ReturnType<typeof setInterval> | undefined;
  private ticks = 0;
  private samples = 0;
  private peaks: Sums = { renderers: 0, browser: 0, others: 0 };
  private baseline: Sums = { renderers: 0, browser: 0, others: 0 };

  /** Takes the baseline and starts sampling. */
  start(): void {
    this.discover(true);
    this.baseline = this.sample();
    this.peaks = { ...this.baseline };
    this.timer = setInterval(() => {
      if (++this.ticks % DISCOVER_EVERY === 0) this.discover(false);
      const now = this.sample();
      this.peaks = { renderers: Math.max(this.peaks.renderers, now.renderers), browser: Math.max(this.peaks.browser, now.browser), others: Math.max(this.peaks.others, now.others) };
    }, SAMPLE_MS);
  }

  stop(): ChromiumMemoryResult {
    clearInterval(this.timer);
    const last = this.sample();
    this.peaks = { renderers: Math.max(this.peaks.renderers, last.renderers), browser: Math.max(this.peaks.browser, last.browser), others: Math.max(this.peaks.others, last.others) };
    const processes: ChromiumProcessMemory[] = [...this.known].map(([pid, k]) => {
      const hwm = statusOf(pid)?.hwm;
      return { pid, kind: k.kind, ...(k.service && { service: k.service }), baselineKiB: k.baselineKiB, sampledPeakKiB: k.sampledPeakKiB, ...(hwm !== undefined && { hwmKiB: hwm }) };
    });
    const group = (key: keyof Sums): ChromiumGroupMemory => ({ baselineKiB: this.baseline[key], peakKiB: this.peaks[key], growthKiB: this.peaks[key] - this.baseline[key] });
    const renderers = processes.filter((p) => p.kind === 'renderer');
    return {
      renderers: group('renderers'),
      browser: group('browser'),
      others: group('others'),
      largestRendererHwmGrowthKiB: Math.max(0, ...renderers.map((p) => Math.max(p.hwmKiB ?? 0, p.sampledPeakKiB) - p.baselineKiB)),
      processes,
      samples: this.samples,
      sampleMs: SAMPLE_MS,
    };
  }

  /** Finds Chromium processes below this node process; at the start, their baselines and reset peaks. */
  private discover(atStart: boolean): void {
    for (const [pid, status] of descendants(process.pid)) {
      if (this.known.has(pid)) continue;
      const kind = classify(pid);
      if (!kind) continue;
      if (atStart) resetPeak(pid);
      this.known.set(pid, { ...kind, baselineKiB: atStart ? status.rss : 0, sampledPeakKiB: status.rss });
    }
  }

  private sample(): Sums {
    this.samples++;
    const sums = { renderers: 0, browser: 0, others: 0 };
    for (const [pid, k] of this.known) {
      const rss = statusOf(pid)?.rss;
      if (rss === undefined) continue;
      k.sampledPeakKiB = Math.max(k.sampledPeakKiB, rss);
      if (k.kind === 'renderer') sums.renderers += rss;
      else if (k.kind === 'browser') sums.browser += rss;
      else sums.others += rss;
    }
    return sums;
  }
}

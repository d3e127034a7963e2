import cliProgress from 'cli-progress';
import { formatBytes } from './format.js';
import type { Output } from './Output.js';

/** What a finished (or stopped) transfer took: plaintext bytes, wall time from the start of the command's transfer. */
export interface TransferStats {
  bytes: number;
  seconds: number;
  /** bytes / seconds. */
  bytesPerSecond: number;
}

export interface Progress {
  update(bytes: number): void;
  /** Stops the bar (if any) and the clock. */
  stop(): TransferStats;
}

/**
 * A transfer's clock, and a byte progress bar on stderr when someone is watching (a terminal,
 * not --json): bytes done of the total, percent, throughput in MB/s and time left.
 */
export function progressBar(output: Output, stderr: NodeJS.WritableStream, label: string, total: number): Progress {
  const started = performance.now();
  let done = 0;
  const stats = (): TransferStats => {
    const seconds = (performance.now() - started) / 1000;
    return { bytes: done, seconds, bytesPerSecond: seconds > 0 ? done / seconds : 0 };
  };
  if (!output.interactive) {
    return {
      update: (bytes) => {
        done = bytes;
      },
      stop: stats,
    };
  }
  const bar = new cliProgress.SingleBar(
    {
      stream: stderr,
      format: `${label} [{bar}] {percentage}% | {done} / {size} | {speed} | ETA {eta_formatted}`,
      barCompleteChar: '#',
      barIncompleteChar: '-',
      hideCursor: true,
      clearOnComplete: false,
      fps: 10,
      etaBuffer: 50,
    },
    cliProgress.Presets.legacy,
  );
  const payload = () => ({ done: formatBytes(done), size: formatBytes(total), speed: formatRate(stats().bytesPerSecond) });
  bar.start(Math.max(total, 1), 0, payload());
  return {
    update: (bytes) => {
      done = bytes;
      bar.update(Math.min(bytes, Math.max(total, 1)), payload());
    },
    stop: () => {
      bar.stop();
      return stats();
    },
  };
}

/**
 * Throughput in decimal units per second, as `openssl speed` and the benchmarks count: MB/s from
 * 1 MB/s up, kB/s below (a small file's transfer is not `0.0 MB/s`), B/s below 1 kB/s.
 */
export function formatRate(bytesPerSecond: number): string {
  for (const [unit, size] of [['MB', 1e6], ['kB', 1e3]] as const) {
    const n = bytesPerSecond / size;
    if (n >= 1) return `${n.toFixed(n < 10 ? 1 : 0)} ${unit}/s`;
  }
  return `${Math.round(bytesPerSecond)} B/s`;
}

/** `1.0 GiB in 7.3 s (147 MB/s)`: the end of an upload's or a download's last line. */
export function describeTransfer(stats: TransferStats): string {
  return `${formatBytes(stats.bytes)} ${describeTiming(stats)}`;
}

/** `in 7.3 s (147 MB/s)`. */
export function describeTiming(stats: TransferStats): string {
  return `in ${stats.seconds.toFixed(1)} s (${formatRate(stats.bytesPerSecond)})`;
}

/** The same for --json: seconds and bytes per second, rounded. */
export function transferJson(stats: TransferStats): { seconds: number; bytesPerSecond: number } {
  return { seconds: Math.round(stats.seconds * 1000) / 1000, bytesPerSecond: Math.round(stats.bytesPerSecond) };
}

import cliProgress from 'cli-progress';
import { formatBytes } from './format.js';
import type { Output } from './Output.js';

export interface Progress {
  update(bytes: number): void;
  stop(): void;
}

const SILENT: Progress = { update: () => undefined, stop: () => undefined };

/** A byte progress bar with throughput on stderr, or nothing when no one is watching. */
export function progressBar(output: Output, stderr: NodeJS.WritableStream, label: string, total: number): Progress {
  if (!output.interactive) return SILENT;
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
  const started = Date.now();
  const payload = (bytes: number) => {
    const seconds = Math.max((Date.now() - started) / 1000, 0.001);
    return { done: formatBytes(bytes), size: formatBytes(total), speed: `${formatBytes(bytes / seconds)}/s` };
  };
  bar.start(Math.max(total, 1), 0, payload(0));
  return {
    update: (bytes) => bar.update(Math.min(bytes, Math.max(total, 1)), payload(bytes)),
    stop: () => bar.stop(),
  };
}

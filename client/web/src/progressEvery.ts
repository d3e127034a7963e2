/** Progress at most this often: a page redraws a bar, not every 1 MiB chunk. */
export const PROGRESS_EVERY_MS = 100;

export interface Progress {
  bytes: number;
  total: number;
}

/** `send`, called at most every PROGRESS_EVERY_MS, and always for the last bytes (bytes ≥ total). */
export function progressEvery(send: (progress: Progress) => void): (progress: Progress) => void {
  let last = 0;
  return (progress) => {
    const now = performance.now();
    if (now - last < PROGRESS_EVERY_MS && progress.bytes < progress.total) return;
    last = now;
    send(progress);
  };
}

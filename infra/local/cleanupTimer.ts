import { LOCAL_DEFAULTS } from './defaults.js';

/** A running cleanup timer. */
export interface CleanupTimer {
  /** Clears the timer and waits for a run in progress to end. */
  stop(): Promise<void>;
}

/**
 * Runs `run` every `intervalMs` under `npm start`. Runs never overlap: the next one is scheduled
 * only when the previous one has ended, however long it took. The timer is unref'd, so it never
 * keeps the process alive on its own. A failed run is reported to `onError` and the timer goes on.
 */
export function startCleanupTimer(run: () => Promise<unknown>, intervalMs: number, onError: (error: unknown) => void): CleanupTimer {
  if (!Number.isFinite(intervalMs) || intervalMs <= 0) throw new RangeError(`invalid cleanup interval ${intervalMs} ms`);
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;

  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(tick, intervalMs);
    timer.unref();
  };
  function tick() {
    timer = undefined;
    running = run()
      .then(
        () => undefined,
        (error: unknown) => onError(error),
      )
      .finally(() => {
        running = undefined;
        schedule();
      });
  }

  schedule();
  return {
    stop: async () => {
      stopped = true;
      if (timer) clearTimeout(timer);
      timer = undefined;
      await running;
    },
  };
}

/** COFFER_CLEANUP_INTERVAL_SECONDS, a whole number of seconds; LOCAL_DEFAULTS' when unset. */
export function cleanupIntervalFromEnv(value: string | undefined): number {
  if (value === undefined || value === '') return LOCAL_DEFAULTS.cleanupIntervalSeconds;
  const seconds = Number(value);
  if (!Number.isInteger(seconds) || seconds < 1) {
    throw new Error(`COFFER_CLEANUP_INTERVAL_SECONDS must be a whole number of seconds, 1 or more (got "${value}")`);
  }
  return seconds;
}

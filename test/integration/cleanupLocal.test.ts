import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { cleanupIntervalFromEnv, startCleanupTimer } from '../../infra/local/cleanupTimer.js';
import { LOCAL_DEFAULTS } from '../../infra/local/defaults.js';
import {
  LOCAL_STACK_FILE,
  LocalStackNotRunning,
  readLocalStackFile,
  removeLocalStackFile,
  writeLocalStackFile,
} from '../../infra/local/localStackFile.js';
import { formatReport, runLocalCleanup } from '../../infra/local/runLocalCleanup.js';

/** The local pieces of the cleanup job that need no stack: `npm start`'s timer and `npm run cleanup`'s file. */

/** A run the test finishes by hand. */
function deferred() {
  let resolve!: () => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe('startCleanupTimer', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('runs once per interval, never two at once however long a run takes', async () => {
    const runs: ReturnType<typeof deferred>[] = [];
    const run = vi.fn(() => {
      const d = deferred();
      runs.push(d);
      return d.promise;
    });
    const timer = startCleanupTimer(run, 1000, () => undefined);
    await vi.advanceTimersByTimeAsync(999);
    expect(run).toHaveBeenCalledTimes(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(run).toHaveBeenCalledTimes(1);
    // The first run takes five intervals: no second run starts meanwhile.
    await vi.advanceTimersByTimeAsync(5000);
    expect(run).toHaveBeenCalledTimes(1);
    runs[0]!.resolve();
    await vi.advanceTimersByTimeAsync(999);
    expect(run).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(run).toHaveBeenCalledTimes(2);
    runs[1]!.resolve();
    await timer.stop();
  });

  it('reports a failed run and goes on', async () => {
    const onError = vi.fn();
    const run = vi.fn().mockRejectedValueOnce(new Error('boom')).mockResolvedValue(undefined);
    const timer = startCleanupTimer(run, 1000, onError);
    await vi.advanceTimersByTimeAsync(1000);
    expect(onError).toHaveBeenCalledWith(expect.objectContaining({ message: 'boom' }));
    await vi.advanceTimersByTimeAsync(1000);
    expect(run).toHaveBeenCalledTimes(2);
    expect(onError).toHaveBeenCalledTimes(1);
    await timer.stop();
  });

  it('is cleared on stop: no run after it, and stop waits for the run in progress', async () => {
    const d = deferred();
    const run = vi.fn(() => d.promise);
    const timer = startCleanupTimer(run, 1000, () => undefined);
    await vi.advanceTimersByTimeAsync(1000);
    expect(run).toHaveBeenCalledTimes(1);
    let stopped = false;
    const stopping = timer.stop().then(() => {
      stopped = true;
    });
    await vi.advanceTimersByTimeAsync(0);
    expect(stopped).toBe(false);
    d.resolve();
    await stopping;
    expect(stopped).toBe(true);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(run).toHaveBeenCalledTimes(1);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('never keeps the process alive on its own (unref)', async () => {
    const setTimeoutSpy = vi.spyOn(globalThis, 'setTimeout');
    const timer = startCleanupTimer(() => Promise.resolve(), 1000, () => undefined);
    const handle = setTimeoutSpy.mock.results[0]!.value as NodeJS.Timeout;
    expect(handle.hasRef()).toBe(false);
    await timer.stop();
  });

  it('refuses an interval that is not a positive number', () => {
    for (const ms of [0, -1, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => startCleanupTimer(() => Promise.resolve(), ms, () => undefined)).toThrow(RangeError);
    }
  });
});

describe('cleanupIntervalFromEnv (COFFER_CLEANUP_INTERVAL_SECONDS)', () => {
  it('defaults to hourly, like the schedule on AWS', () => {
    expect(cleanupIntervalFromEnv(undefined)).toBe(3600);
    expect(cleanupIntervalFromEnv('')).toBe(LOCAL_DEFAULTS.cleanupIntervalSeconds);
  });

  it('takes whole seconds and refuses anything else with the fix', () => {
    expect(cleanupIntervalFromEnv('60')).toBe(60);
    for (const bad of ['0', '-5', '1.5', 'hourly', '1e3x']) {
      expect(() => cleanupIntervalFromEnv(bad)).toThrow(/COFFER_CLEANUP_INTERVAL_SECONDS must be a whole number of seconds/);
    }
  });
});

describe('local-stack.json', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'coffer-local-stack-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  const info = { endpoints: { dynamodb: 'http://127.0.0.1:1', s3: 'http://127.0.0.1:2' }, table: 't', bucket: 'b', url: 'http://127.0.0.1:3' };

  it('round-trips, readable by its owner only, and is removed idempotently', async () => {
    await writeLocalStackFile(dir, info);
    expect(await readLocalStackFile(dir)).toEqual(info);
    expect((await stat(join(dir, LOCAL_STACK_FILE))).mode & 0o777).toBe(0o600);
    await removeLocalStackFile(dir);
    await removeLocalStackFile(dir);
    await expect(readLocalStackFile(dir)).rejects.toThrow(LocalStackNotRunning);
  });

  it('says to run `npm start` when there is no file', async () => {
    await expect(readLocalStackFile(dir)).rejects.toThrow(/Coffer is not running \(no .*local-stack\.json\): start it with `npm start`/);
  });

  it('refuses a file that is not JSON or not a local stack', async () => {
    await writeFile(join(dir, LOCAL_STACK_FILE), '{ nope');
    await expect(readLocalStackFile(dir)).rejects.toThrow(/is not valid JSON/);
    await writeFile(join(dir, LOCAL_STACK_FILE), JSON.stringify({ ...info, endpoints: { dynamodb: 'x' } }));
    await expect(readLocalStackFile(dir)).rejects.toThrow(/does not describe a local stack/);
  });

  it('makes `npm run cleanup` say so when the stack named in a stale file is gone', async () => {
    await writeLocalStackFile(dir, info);
    await expect(runLocalCleanup(dir)).rejects.toThrow(/Could not reach Coffer's local DynamoDB at http:\/\/127\.0\.0\.1:1: is `npm start` still running\?/);
  });
});

describe('formatReport', () => {
  it('prints one line per count, in a fixed order', () => {
    expect(
      formatReport({ expiredLinks: 1, expiredGrants: 2, abandonedUploads: 3, resumedDeletes: 4, abandonedVersions: 5, prunedVersions: 6, skipped: 7, failed: 8 }),
    ).toEqual([
      'expiredLinks: 1',
      'expiredGrants: 2',
      'abandonedUploads: 3',
      'resumedDeletes: 4',
      'abandonedVersions: 5',
      'prunedVersions: 6',
      'skipped: 7',
      'failed: 8',
    ]);
  });
});

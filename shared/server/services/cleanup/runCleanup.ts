import { randomUUID } from 'node:crypto';
import type { Deps } from '../../config/Deps.js';
import { dueEntries, type ExpiryEntry } from '../../data/expiry.js';
import { abandonUploadEntry } from './abandonUploadEntry.js';
import { type CleanupCount, type CleanupReport, emptyReport } from './CleanupReport.js';
import type { CleanupRun } from './CleanupRun.js';
import { expireGrantEntry } from './expireGrantEntry.js';
import { expireLinkEntry } from './expireLinkEntry.js';
import { abandonVersionEntry } from './abandonVersionEntry.js';
import { pruneVersionEntry } from './pruneVersionEntry.js';
import { resumeDeleteEntry } from './resumeDeleteEntry.js';

export interface CleanupOptions {
  /** Entries handled at once (default 8). */
  concurrency?: number;
  /** Shared by the run's audit events and log lines; a random id by default. */
  runId?: string;
  /** Asked after each page; false ends the run early (a Lambda near its timeout). The next run picks up the rest. */
  shouldContinue?: () => boolean;
}

const DEFAULT_CONCURRENCY = 8;

/**
 * The cleanup job (docs/links.md, "Cleanup"): queries the expiry index for entries due before
 * now, page by page (never a scan), and handles each by item type: expired links and shares,
 * abandoned uploads, interrupted deletes, abandoned versions and unfinished prunes. Every write
 * is idempotent or guarded, so it is safe to run twice at once; a guard lost to a concurrent run counts as skipped, never as a failure.
 * An unexpected error on one entry is logged (name and code only), counted as failed, and the
 * run goes on with the rest.
 */
export async function runCleanup(deps: Deps, options: CleanupOptions = {}): Promise<CleanupReport> {
  const now = deps.clock();
  const run: CleanupRun = { deps, now, nowIso: new Date(now).toISOString(), runId: options.runId ?? randomUUID() };
  const concurrency = options.concurrency ?? DEFAULT_CONCURRENCY;
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new RangeError(`invalid concurrency ${concurrency}`);
  const report = emptyReport();
  for await (const page of dueEntries(deps.db, run.nowIso)) {
    await eachBounded(page, concurrency, async (entry) => {
      report[await handleEntry(run, entry)]++;
    });
    if (options.shouldContinue && !options.shouldContinue()) break;
  }
  return report;
}

/** One entry, by item type; an unexpected error is counted, never thrown. */
async function handleEntry(run: CleanupRun, entry: ExpiryEntry): Promise<CleanupCount> {
  try {
    switch (entry.type) {
      case 'link':
        return await expireLinkEntry(run, entry);
      case 'grant':
        return await expireGrantEntry(run, entry);
      case 'node':
        if (entry.state === 'pending') return await abandonUploadEntry(run, entry);
        if (entry.state === 'deleting') return await resumeDeleteEntry(run, entry);
        return 'skipped';
      case 'version':
        if (entry.state === 'pending') return await abandonVersionEntry(run, entry);
        if (entry.state === 'pruned') return await pruneVersionEntry(run, entry);
        return 'skipped';
      default:
        return 'skipped';
    }
  } catch (error) {
    // Name and code only: an SDK message may carry table names or keys.
    const { name, code } = error as { name?: unknown; code?: unknown };
    run.deps.logger.error('cleanup: entry failed', {
      runId: run.runId,
      entryType: String(entry.type),
      error: { name: String(name ?? 'Error'), ...(typeof code === 'string' ? { code } : {}) },
    });
    return 'failed';
  }
}

/** Runs `task` over `items` with at most `limit` in flight. `task` must not throw. */
async function eachBounded<T>(items: readonly T[], limit: number, task: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await task(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

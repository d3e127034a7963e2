/**
 * What one cleanup run did (docs/links.md, "Cleanup"). Every due entry of the expiry index is
 * counted exactly once: in the action this run performed, in `skipped` (nothing to do, or a
 * concurrent run or request did it first), or in `failed` (an unexpected error; a later run
 * retries it).
 */
export interface CleanupReport {
  expiredLinks: number;
  expiredGrants: number;
  abandonedUploads: number;
  resumedDeletes: number;
  /** Pending versions past their `abandonAt` (docs/versions.md). */
  abandonedVersions: number;
  /** Pruned versions whose removal the retention step did not finish. */
  prunedVersions: number;
  skipped: number;
  failed: number;
}

export type CleanupCount = keyof CleanupReport;

/** The report's counts in a fixed order, for printing one line each. */
export const CLEANUP_COUNTS: readonly CleanupCount[] = [
  'expiredLinks',
  'expiredGrants',
  'abandonedUploads',
  'resumedDeletes',
  'abandonedVersions',
  'prunedVersions',
  'skipped',
  'failed',
];

export function emptyReport(): CleanupReport {
  return { expiredLinks: 0, expiredGrants: 0, abandonedUploads: 0, resumedDeletes: 0, abandonedVersions: 0, prunedVersions: 0, skipped: 0, failed: 0 };
}

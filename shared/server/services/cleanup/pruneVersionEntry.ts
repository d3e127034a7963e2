import { claimPrunedVersion, type ExpiryEntry } from '../../data/expiry.js';
import type { VersionItem } from '../../data/versions.js';
import { removeVersions } from '../versions/removeVersions.js';
import type { CleanupCount } from './CleanupReport.js';
import { type CleanupRun, retryAt, systemEvent } from './CleanupRun.js';

/**
 * A pruned version still here once its entry came due (the retention step or an earlier run
 * stopped half-way): claimed for this run with its `version.prune` event in one transaction
 * (guard: still pruned, with the entry this run saw, so two runs never both take it), then removed
 * as retention would: object deleted (an unfinished upload aborted), item last.
 */
export async function pruneVersionEntry(run: CleanupRun, entry: ExpiryEntry): Promise<CleanupCount> {
  const item = entry as unknown as VersionItem & ExpiryEntry;
  const { nodeId, version, gsi2sk } = item;
  if (typeof nodeId !== 'string' || typeof version !== 'number') return 'skipped';
  const event = systemEvent(run, 'version.prune', { nodeId }, { version });
  if ((await claimPrunedVersion(run.deps.db, item, gsi2sk, retryAt(run), event)) === 'lost') return 'skipped';
  await removeVersions(run.deps, nodeId, [item]);
  return 'prunedVersions';
}

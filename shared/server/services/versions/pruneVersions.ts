import type { Deps } from '../../config/Deps.js';
import { isActiveVersion, listVersionItems, markVersionsPruned } from '../../data/versions.js';
import { RESUME_AFTER_SECONDS } from '../cleanup/CleanupRun.js';
import { removeVersions } from './removeVersions.js';

/**
 * Retention (`settings.keepVersions = N`): every active version older than the newest N is marked
 * `pruned` with an expiry entry (one transaction per 99), then its object and item are deleted.
 * The entry comes due after RESUME_AFTER_SECONDS, so the cleanup job finishes a removal this
 * request did not, and leaves one still running alone. Returns the versions pruned.
 */
export async function pruneVersions(deps: Deps, nodeId: string, keep: number | undefined, currentVersion: number): Promise<number[]> {
  if (keep === undefined) return [];
  const items = await listVersionItems(deps.db, nodeId);
  const newestFirst = items.filter(isActiveVersion).sort((a, b) => b.version - a.version);
  const doomed = newestFirst.slice(keep).filter((v) => v.version !== currentVersion);
  if (doomed.length === 0) return [];
  const finishBy = new Date(deps.clock() + RESUME_AFTER_SECONDS * 1000).toISOString();
  const marked = new Set(await markVersionsPruned(deps.db, nodeId, doomed.map((v) => v.version), currentVersion, finishBy));
  await removeVersions(deps, nodeId, doomed.filter((v) => marked.has(v.version)));
  return [...marked];
}

import { abandonVersion, type ExpiryEntry } from '../../data/expiry.js';
import type { VersionItem } from '../../data/versions.js';
import { removeVersions } from '../versions/removeVersions.js';
import type { CleanupCount } from './CleanupReport.js';
import { type CleanupRun, retryAt, systemEvent } from './CleanupRun.js';

/**
 * A pending version past its `abandonAt` (reserved, never completed, or refused at completion
 * after a rotation): marked `pruned` with its `version.abandon` event in one transaction (guard:
 * still pending, same `abandonAt`, so a version completed meanwhile is never touched), then removed:
 * multipart upload aborted, object deleted, item last.
 */
export async function abandonVersionEntry(run: CleanupRun, entry: ExpiryEntry): Promise<CleanupCount> {
  const item = entry as unknown as VersionItem & ExpiryEntry;
  const { nodeId, version, abandonAt } = item;
  if (typeof nodeId !== 'string' || typeof version !== 'number' || typeof abandonAt !== 'string' || abandonAt > run.nowIso) return 'skipped';
  const upload = item.upload?.kind ?? 'single';
  const event = systemEvent(run, 'version.abandon', { nodeId }, { version, abandonAt, upload });
  if ((await abandonVersion(run.deps.db, item, abandonAt, retryAt(run), event)) === 'lost') return 'skipped';
  await removeVersions(run.deps, nodeId, [item]);
  return 'abandonedVersions';
}

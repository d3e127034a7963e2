import { abandonUpload, type ExpiryEntry } from '../../data/expiry.js';
import type { CleanupCount } from './CleanupReport.js';
import { type CleanupRun, retryAt, systemEvent } from './CleanupRun.js';
import { purgeDocumentData } from './purgeDocumentData.js';

/**
 * A pending upload past its `abandonAt` (created, never completed): marked `deleting` with its
 * `upload.abandon` event in one transaction (guard: still pending, same `abandonAt`, so an
 * upload completed meanwhile is never touched), then purged: multipart upload aborted, objects
 * and items deleted, META last.
 */
export async function abandonUploadEntry(run: CleanupRun, entry: ExpiryEntry): Promise<CleanupCount> {
  const { nodeId, abandonAt } = entry;
  if (typeof nodeId !== 'string' || typeof abandonAt !== 'string' || abandonAt > run.nowIso) return 'skipped';
  const upload = (entry.upload as { kind?: string } | undefined)?.kind ?? 'single';
  const event = systemEvent(run, 'upload.abandon', { nodeId }, { abandonAt, upload });
  if ((await abandonUpload(run.deps.db, nodeId, abandonAt, run.nowIso, retryAt(run), event)) === 'lost') return 'skipped';
  await purgeDocumentData(run.deps, nodeId);
  return 'abandonedUploads';
}

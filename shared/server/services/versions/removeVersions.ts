import type { Deps } from '../../config/Deps.js';
import { deleteVersionItems, type VersionItem } from '../../data/versions.js';

/**
 * Versions taken off every read (pruned, or abandoned pending ones) removed for good: unfinished
 * multipart uploads aborted, objects deleted, then the items, which name the objects and hold the
 * expiry entries, last. Every step is idempotent: a removal interrupted anywhere is finished by
 * the cleanup job, and two runs at once do no harm.
 */
export async function removeVersions(deps: Deps, nodeId: string, items: readonly VersionItem[]): Promise<void> {
  if (items.length === 0) return;
  await Promise.all(
    items.flatMap((v) => (v.upload?.kind === 'multipart' ? [deps.objects.abortMultipartUpload(v.objectKey, v.upload.uploadId)] : [])),
  );
  await deps.objects.deleteObjects(items.map((v) => v.objectKey));
  await deleteVersionItems(deps.db, nodeId, items.map((v) => v.version));
}

import type { Deps } from '../config/Deps.js';
import { deleteItems, listNodeItems, markDeleting } from '../data/documents.js';

/**
 * Deletes a document for good, in an order that is safe to interrupt and resume:
 * 1. mark it `deleting` (every read answers 404 from here; guard: the caller owns it),
 * 2. delete its S3 objects and abort an unfinished multipart upload,
 * 3. delete its registry entries and versions, then its meta item last.
 * A failure leaves the meta item on the expiry index, where the cleanup job finishes the work.
 */
export async function purgeDocument(deps: Deps, nodeId: string, ownerId: string): Promise<void> {
  const meta = await markDeleting(deps.db, nodeId, ownerId, new Date(deps.clock()).toISOString());
  const items = await listNodeItems(deps.db, nodeId);
  const objectKeys = items.flatMap((i) => (i.type === 'version' && typeof i.objectKey === 'string' ? [i.objectKey] : []));
  if (meta.upload?.kind === 'multipart') {
    await deps.objects.abortMultipartUpload(objectKeys[0] ?? '', meta.upload.uploadId);
  }
  await deps.objects.deleteObjects(objectKeys);
  const rest = items.filter((i) => i.sk !== 'META') as { pk: string; sk: string }[];
  await deleteItems(deps.db, rest);
  await deleteItems(deps.db, [{ pk: `NODE#${nodeId}`, sk: 'META' }]);
}

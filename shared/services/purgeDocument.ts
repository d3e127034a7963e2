import type { Deps } from '../config/Deps.js';
import { deleteItems, listNodeItems, markDeleting } from '../data/documents.js';
import { keys } from '../data/keys.js';
import { deleteLinksOf } from '../data/links.js';

/**
 * Deletes a document for good, in an order that is safe to interrupt and resume:
 * 1. mark it `deleting` (every read answers 404 from here; guard: the caller owns it),
 * 2. delete its S3 objects (aborting an unfinished multipart upload) and, at the same time,
 *    its registry entries, versions and share links,
 * 3. delete its pointer in its folder, then its meta item last.
 * A failure leaves the meta item on the expiry index, where the cleanup job finishes the work.
 */
export async function purgeDocument(deps: Deps, nodeId: string, ownerId: string): Promise<void> {
  const meta = await markDeleting(deps.db, nodeId, ownerId, new Date(deps.clock()).toISOString());
  const items = await listNodeItems(deps.db, nodeId);
  const objectKeys = items.flatMap((i) => (i.type === 'version' && typeof i.objectKey === 'string' ? [i.objectKey] : []));
  const upload = meta.upload;
  const rest = items.filter((i) => i.sk !== 'META') as { pk: string; sk: string }[];
  // Objects and registry entries are independent: remove both at once; the meta item goes last.
  await Promise.all([
    (async () => {
      if (upload?.kind === 'multipart') await deps.objects.abortMultipartUpload(objectKeys[0] ?? '', upload.uploadId);
      await deps.objects.deleteObjects(objectKeys);
    })(),
    deleteItems(deps.db, rest),
    deleteLinksOf(deps.db, nodeId),
  ]);
  if (meta.parentId) await deleteItems(deps.db, [keys.child(meta.parentId, nodeId)]);
  await deleteItems(deps.db, [keys.nodeMeta(nodeId)]);
}

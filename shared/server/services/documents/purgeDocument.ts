import type { Deps } from '../../config/Deps.js';
import { deleteItems, listNodeItems, markDeleting } from '../../data/documents.js';
import { keys } from '../../data/keys.js';
import { deleteLinksOf } from '../../data/links.js';
import { documentObjects } from './documentObjects.js';

/**
 * Deletes a document for good, in an order that is safe to interrupt and resume:
 * 1. mark it `deleting` (every read answers 404 from here; guard: the caller owns it),
 * 2. delete its S3 objects (aborting unfinished multipart uploads) and its share links,
 * 3. its registry entries, versions and comments (the version items name the objects: they go
 *    only once the objects are gone, so a resumed purge still finds every object),
 * 4. its pointer in its folder, then its meta item last.
 * A failure leaves the meta item on the expiry index, where the cleanup job finishes the work.
 */
export async function purgeDocument(deps: Deps, nodeId: string, ownerId: string): Promise<void> {
  const meta = await markDeleting(deps.db, nodeId, ownerId, new Date(deps.clock()).toISOString());
  const items = await listNodeItems(deps.db, nodeId);
  const { objectKeys, uploads } = documentObjects(meta, items);
  const rest = items.filter((i) => i.sk !== 'META') as { pk: string; sk: string }[];
  await Promise.all([
    (async () => {
      await Promise.all(uploads.map((u) => deps.objects.abortMultipartUpload(u.key, u.uploadId)));
      await deps.objects.deleteObjects(objectKeys);
    })(),
    deleteLinksOf(deps.db, nodeId),
  ]);
  await deleteItems(deps.db, rest);
  if (meta.parentId) await deleteItems(deps.db, [keys.child(meta.parentId, nodeId)]);
  await deleteItems(deps.db, [keys.nodeMeta(nodeId)]);
}

import type { Deps } from '../../config/Deps.js';
import { deleteItems, type DocumentMeta, listNodeItems } from '../../data/documents.js';
import { keys } from '../../data/keys.js';
import { deleteLinksOf } from '../../data/links.js';
import { documentObjects } from '../documents/documentObjects.js';

/**
 * The purge steps of `purgeDocument` for a document already marked `deleting`, without the
 * owner guard: the cleanup job finishes abandoned uploads and interrupted deletes with it.
 * Each step is an idempotent delete, ordered so that an interruption anywhere leaves enough
 * behind for a rerun to find the rest:
 * 1. abort unfinished multipart uploads and delete the objects (the version items that
 *    name them outlive them),
 * 2. the partition's other items (versions, grants, comments) and the node's links,
 * 3. its pointer in its folder, and its META item last (it holds the expiry-index entry).
 */
export async function purgeDocumentData(deps: Deps, nodeId: string): Promise<void> {
  const items = await listNodeItems(deps.db, nodeId);
  const meta = items.find((i) => i.sk === 'META') as (DocumentMeta & Record<string, unknown>) | undefined;
  const rest = items.filter((i) => i.sk !== 'META') as { pk: string; sk: string }[];
  const { objectKeys, uploads } = documentObjects(meta, items);

  await Promise.all(uploads.map((u) => deps.objects.abortMultipartUpload(u.key, u.uploadId)));
  if (objectKeys.length > 0) await deps.objects.deleteObjects(objectKeys);
  await Promise.all([deleteItems(deps.db, rest), deleteLinksOf(deps.db, nodeId)]);
  if (typeof meta?.parentId === 'string') await deleteItems(deps.db, [keys.child(meta.parentId, nodeId)]);
  if (meta) await deleteItems(deps.db, [keys.nodeMeta(nodeId)]);
}

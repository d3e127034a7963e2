import { resolveAccess } from '../../access/resolveAccess.js';
import type { Deps } from '../../config/Deps.js';
import { deleteItems, type DocumentMeta, listNodeItems } from '../../data/documents.js';
import { type FolderMeta, markFolderDeleting } from '../../data/folders.js';
import { keys } from '../../data/keys.js';
import { deleteLinksOf } from '../../data/links.js';
import type { NodeKind } from '../../data/nodes.js';
import { allChildPointers, deleteChildPointer } from '../../data/tree.js';
import type { Caller } from '../../http/Operation.js';
import type { DeleteFolderResponse } from '../../../core/api/schemas/folders.js';
import { documentObjects } from '../documents/documentObjects.js';

export interface PurgeCounts {
  deletedFolders: number;
  deletedDocuments: number;
}

/** Children purged at once, per folder. */
const PURGE_CONCURRENCY = 8;

/**
 * Delete a folder and everything in it (`delete`: its owner). Step 1 marks it `deleting`, which
 * hides the whole subtree at once (the resolver refuses a node under an ancestor that is not
 * active); step 2 purges the subtree bottom-up.
 */
export async function deleteFolderTree(deps: Deps, caller: Caller, folderId: string): Promise<DeleteFolderResponse> {
  const access = await resolveAccess(deps, caller, folderId, { kind: 'folder' });
  access.require('delete');
  await markFolderDeleting(deps.db, access.node as FolderMeta, new Date(deps.clock()).toISOString());
  return { folderId, ...(await purgeFolderTree(deps, folderId)) };
}

/**
 * Purges a folder marked `deleting` and its subtree, bottom-up: each node's children first, then
 * its S3 objects, the items of its partition and its share links, its META, and last its pointer in its parent.
 * Safe to interrupt and to run again (the cleanup job of issue 4 resumes interrupted deletes from
 * the folder's expiry-index entry): every step is an idempotent delete, and a node's META and
 * pointer outlive everything below it, so a rerun finds whatever is left.
 */
export async function purgeFolderTree(deps: Deps, folderId: string): Promise<PurgeCounts> {
  const counts: PurgeCounts = { deletedFolders: 0, deletedDocuments: 0 };
  const items = await listNodeItems(deps.db, folderId);
  const meta = items.find((i) => i.sk === 'META');
  const parentId = typeof meta?.parentId === 'string' ? meta.parentId : undefined;
  await purgeNode(deps, folderId, 'folder', parentId, counts);
  return counts;
}

async function purgeNode(deps: Deps, nodeId: string, kind: NodeKind, parentId: string | undefined, counts: PurgeCounts): Promise<void> {
  if (kind === 'folder') {
    const children = await allChildPointers(deps.db, nodeId);
    for (let i = 0; i < children.length; i += PURGE_CONCURRENCY) {
      await Promise.all(children.slice(i, i + PURGE_CONCURRENCY).map((c) => purgeNode(deps, c.nodeId, c.kind, nodeId, counts)));
    }
  }
  const items = await listNodeItems(deps.db, nodeId);
  const meta = items.find((i) => i.sk === 'META');
  const rest = items.filter((i) => i.sk !== 'META') as { pk: string; sk: string }[];
  const { objectKeys, uploads } = documentObjects(kind === 'document' ? (meta as unknown as DocumentMeta | undefined) : undefined, items);
  await Promise.all([
    (async () => {
      await Promise.all(uploads.map((u) => deps.objects.abortMultipartUpload(u.key, u.uploadId)));
      if (objectKeys.length > 0) await deps.objects.deleteObjects(objectKeys);
    })(),
    // Its share links (found through gsi1) go before its META: a rerun still finds the node.
    deleteLinksOf(deps.db, nodeId),
  ]);
  // The version items name the objects: they go once the objects are gone, so a rerun finds every object.
  await deleteItems(deps.db, rest);
  if (meta) {
    await deleteItems(deps.db, [keys.nodeMeta(nodeId)]);
    if (kind === 'folder') counts.deletedFolders++;
    else counts.deletedDocuments++;
  }
  if (parentId) await deleteChildPointer(deps.db, parentId, nodeId);
}

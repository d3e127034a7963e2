import type { Deps } from '../../config/Deps.js';
import { batchGetAll } from '../../data/batchOperations.js';
import { keys } from '../../data/keys.js';
import type { NodeMeta } from '../../data/nodes.js';
import { listChildPointers } from '../../data/tree.js';
import type { LinkChild } from '../../../core/api/schemas/links.js';
import { encodeChildCursor } from '../folders/folderCursor.js';

/** Children per page of a folder link's listing. */
export const LINK_PAGE_SIZE = 100;

/**
 * One page of a folder's children as a link shows them: child pointers (consistent), then one
 * BatchGet of their metas. Limited children are left out (a link never crosses a limited
 * boundary), as are children not active or moved away since the pointer was read.
 */
export async function linkChildrenPage(
  deps: Deps,
  folderId: string,
  startKey: Record<string, unknown> | undefined,
): Promise<{ children: LinkChild[]; cursor?: string }> {
  const page = await listChildPointers(deps.db, folderId, LINK_PAGE_SIZE, startKey);
  const metas = await batchGetAll(deps.db, page.pointers.map((p) => keys.nodeMeta(p.nodeId)), true);
  const byId = new Map(metas.map((m) => [m.nodeId as string, m as unknown as NodeMeta & Record<string, unknown>]));
  const children: LinkChild[] = [];
  for (const pointer of page.pointers) {
    const child = byId.get(pointer.nodeId);
    if (!child || child.state !== 'active' || child.parentId !== folderId || child.limited) continue;
    if (!child.parentWrap || child.parentKeyGeneration === undefined) continue;
    children.push({
      nodeId: child.nodeId,
      kind: child.kind,
      encryptedName: child.encryptedName,
      keyGeneration: child.keyGeneration,
      parentWrap: child.parentWrap,
      parentKeyGeneration: child.parentKeyGeneration,
      ...(child.kind === 'document' ? { size: child.size as number, version: child.currentVersion as number } : {}),
      createdAt: child.createdAt,
    });
  }
  return { children, ...(page.lastKey ? { cursor: encodeChildCursor(page.lastKey) } : {}) };
}

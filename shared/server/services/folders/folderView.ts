import { buildKeyPath } from '../../access/keyPath.js';
import { effectiveRole, type NodeAccess, resolveAccess } from '../../access/resolveAccess.js';
import type { Deps } from '../../config/Deps.js';
import { batchGetAll } from '../../data/batchOperations.js';
import { keys } from '../../data/keys.js';
import type { NodeMeta } from '../../data/nodes.js';
import { listChildPointers } from '../../data/tree.js';
import type { Caller } from '../../http/Operation.js';
import { CAPABILITIES } from '../../../core/permissions/levels.js';
import type { ChildEntry, FolderResponse, ListChildrenResponse } from '../../../core/api/schemas/folders.js';
import { decodeChildCursor, encodeChildCursor } from './folderCursor.js';

/** What the caller may do on a resolved node, as the resolver decides it. */
export function capabilitiesOf(access: NodeAccess) {
  return CAPABILITIES.filter((c) => access.can(c));
}

/** A folder as the caller sees it, with the key path that opens its key. */
export async function folderView(deps: Deps, caller: Caller, folderId: string): Promise<FolderResponse> {
  const access = await resolveAccess(deps, caller, folderId, { kind: 'folder' });
  access.require('view');
  const { node } = access;
  return {
    folderId: node.nodeId,
    ownerId: node.ownerId,
    role: access.role,
    capabilities: capabilitiesOf(access),
    encryptedName: node.encryptedName,
    keyGeneration: node.keyGeneration,
    limited: node.limited === true,
    ...(node.parentId ? { parentId: node.parentId } : {}),
    path: access.ancestors.map((a) => a.nodeId),
    createdAt: node.createdAt,
    keyPath: await buildKeyPath(deps, access),
    ...(node.keyChain ? { keyChain: node.keyChain } : {}),
  };
}

/**
 * One page of a folder's children: its child pointers (consistent), then one BatchGet of their
 * metas. A child inherits the folder's scope, so no per-child check is needed, except a limited
 * child, whose own ACL is checked against the caller's principals. Children that are not active
 * (or moved away since the pointer was read) are left out.
 */
export async function listFolderChildren(
  deps: Deps,
  caller: Caller,
  folderId: string,
  query: { limit: number; cursor?: string | undefined },
): Promise<ListChildrenResponse> {
  const startKey = query.cursor ? decodeChildCursor(query.cursor, folderId) : undefined;
  const access = await resolveAccess(deps, caller, folderId, { kind: 'folder' });
  access.require('view');
  const page = await listChildPointers(deps.db, folderId, query.limit, startKey);
  const metas = await batchGetAll(deps.db, page.pointers.map((p) => keys.nodeMeta(p.nodeId)), true);
  const byId = new Map(metas.map((m) => [m.nodeId as string, m as unknown as NodeMeta & Record<string, unknown>]));
  const now = deps.clock();
  const children: ChildEntry[] = [];
  for (const pointer of page.pointers) {
    const child = byId.get(pointer.nodeId);
    if (!child || child.state !== 'active' || child.parentId !== folderId) continue;
    const role = child.limited ? effectiveRole([child], access.principals, now) : effectiveRole([child, ...access.scope], access.principals, now);
    if (!role) continue;
    children.push(childEntry(child, role));
  }
  const { node } = access;
  return {
    folderId,
    keyGeneration: node.keyGeneration,
    ...(node.keyChain ? { keyChain: node.keyChain } : {}),
    children,
    ...(page.lastKey ? { cursor: encodeChildCursor(page.lastKey) } : {}),
  };
}

function childEntry(child: NodeMeta & Record<string, unknown>, role: ChildEntry['role']): ChildEntry {
  const entry: ChildEntry = {
    nodeId: child.nodeId,
    kind: child.kind,
    ownerId: child.ownerId,
    role,
    limited: child.limited === true,
    encryptedName: child.encryptedName,
    keyGeneration: child.keyGeneration,
    createdAt: child.createdAt,
  };
  if (child.parentWrap && child.parentKeyGeneration !== undefined) {
    entry.parentWrap = child.parentWrap;
    entry.parentKeyGeneration = child.parentKeyGeneration;
  }
  if (child.kind === 'document') {
    entry.size = child.size as number;
    entry.version = child.currentVersion as number;
  }
  return entry;
}

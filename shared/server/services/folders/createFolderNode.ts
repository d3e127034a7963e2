import { nodeChange } from '../../access/authorityGuards.js';
import type { Deps } from '../../config/Deps.js';
import { createFolder, type FolderMeta, type ParentCheck } from '../../data/folders.js';
import type { Guard } from '../../data/guards.js';
import { principal } from '../../data/keys.js';
import { DEFAULT_SETTINGS, type GrantItem } from '../../data/nodes.js';
import { getProfile } from '../../data/users.js';
import { Conflict } from '../../../core/errors/index.js';
import type { Caller } from '../../http/Operation.js';
import type { CreateFolderBody, CreateFolderResponse } from '../../../core/api/schemas/folders.js';
import { type PlacementWording, resolveNewNodeParent } from '../sharing/placeNewNode.js';

/** Where the new folder goes: its parent as the caller's check read it, the verified path and the authority guards. */
interface FolderPlacement {
  parent: ParentCheck;
  path: string[];
  guards: Guard[];
}

/**
 * Create a folder. At the root: any member (guests create only inside folders shared with them).
 * In a folder: `edit` there, the key wrapped under the parent's current key, depth within
 * MAX_DEPTH. The creator's owner grant must be wrapped for its current public key.
 */
export async function createFolderNode(deps: Deps, caller: Caller, body: CreateFolderBody): Promise<CreateFolderResponse> {
  const [placement, profile] = await Promise.all([place(deps, caller, body), getProfile(deps.db, caller.userId)]);
  if (profile?.fingerprint !== body.fingerprint) {
    throw new Conflict('STALE_PUBLIC_KEY', 'ownerWrappedKey was not made for your current public key: log in again and retry.');
  }
  const nowIso = new Date(deps.clock()).toISOString();
  const me = principal.user(caller.userId);
  const meta: FolderMeta = {
    nodeId: body.folderId,
    kind: 'folder',
    ownerId: caller.userId,
    state: 'active',
    ...(placement
      ? { parentId: placement.parent.parentId, parentWrap: body.parentWrap!, parentKeyGeneration: placement.parent.keyGeneration }
      : {}),
    path: placement?.path ?? [],
    acl: { [me]: { role: 'owner' } },
    settings: DEFAULT_SETTINGS,
    keyGeneration: body.keyGeneration,
    encryptedName: body.encryptedName,
    rev: 1,
    createdAt: nowIso,
    updatedAt: nowIso,
  };
  const grant: GrantItem = {
    nodeId: body.folderId,
    principalId: me,
    userId: caller.userId,
    role: 'owner',
    wrappedKey: body.ownerWrappedKey,
    keyGeneration: body.keyGeneration,
    grantedBy: caller.userId,
    sharedAt: nowIso,
  };
  await createFolder(deps.db, meta, grant, placement?.parent, placement?.guards);
  return {
    folderId: meta.nodeId,
    ...(meta.parentId ? { parentId: meta.parentId } : {}),
    path: meta.path,
    keyGeneration: meta.keyGeneration,
    createdAt: nowIso,
  };
}

const FOLDER_WORDING: PlacementWording = {
  wrapWithoutParent: 'parentWrap and parentKeyGeneration need a parentId.',
  parentWithoutWrap: "In a folder, send parentWrap and parentKeyGeneration: the new folder's key wrapped under the folder's key.",
};

async function place(deps: Deps, caller: Caller, body: CreateFolderBody): Promise<FolderPlacement | undefined> {
  const placed = await resolveNewNodeParent(deps, caller, body, FOLDER_WORDING);
  if (!placed) return undefined;
  const { parent, path } = placed;
  return {
    parent: { parentId: parent.node.nodeId, rev: parent.node.rev, keyGeneration: parent.node.keyGeneration },
    path,
    guards: nodeChange(parent, deps.clock()).guards,
  };
}

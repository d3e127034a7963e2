import {
  decryptMetadata,
  encryptMetadata,
  fromBase64Url,
  generateDataKey,
  importPublicKey,
  plaintextSize,
  toBase64Url,
  unwrapKeyUnderKey,
  wrapKeyUnderKey,
} from '../../shared/core/crypto/index.js';
import { CofferError } from '../../shared/core/errors/index.js';
import type {
  ChildEntry,
  CreateFolderBody,
  CreateFolderResponse,
  DeleteFolderResponse,
  FolderResponse,
  GainedAccess,
  LimitFolderBody,
  LimitFolderResponse,
  ListChildrenResponse,
  MoveNodeBody,
  MoveNodeResponse,
  RenameNodeBody,
} from '../../shared/core/api/schemas/folders.js';
import type { GetNodeResponse } from '../../shared/core/api/schemas/sharing.js';
import { mapBounded } from './bounded.js';
import type { ClientContext } from './ClientContext.js';
import { NAME_FIELD, wrapNodeKey } from './dataKeys.js';
import { keyAtGeneration, type NodeKind, openKeyPath } from './nodeKeys.js';
import { nodePath } from './paths.js';
import { newGeneration, withDirectGrantees } from './granteeRewrap.js';
import { retryConcurrentUpdates } from './retry.js';
import { newId } from './ids.js';

/**
 * Folders (docs/permissions.md): every folder has its own 32-byte key; a node inside a folder
 * carries its key wrapped under the folder's (`parentWrap`), so sharing a folder shares its
 * subtree with one wrapped key. Names are encrypted here under each node's own key.
 */

/** A node's key, opened here from the key path the server gave. Wipe `key` when done. */
export interface OpenedNodeKey {
  nodeId: string;
  kind: NodeKind;
  keyGeneration: number;
  key: Uint8Array;
  limited: boolean;
  parentId?: string;
  /** The node's name, encrypted under `key`. */
  encryptedName: string;
  /** Older keys under the current one (`keyAtGeneration`). */
  keyChain: Record<string, string>;
}

export interface CreateFolderOptions {
  /** The folder to create it in (default: the top level). */
  parent?: string;
}

export interface CreatedFolder {
  folderId: string;
  name: string;
  parentId?: string;
  path: string[];
}

export interface FolderChild {
  nodeId: string;
  kind: NodeKind;
  /** Decrypted name; undefined when it could not be decrypted (see nameError). */
  name: string | undefined;
  nameError?: string;
  ownerId: string;
  role: ChildEntry['role'];
  limited: boolean;
  keyGeneration: number;
  /** Documents: plaintext and ciphertext sizes, current version. */
  size?: number;
  ciphertextSize?: number;
  version?: number;
  createdAt: string;
}

export interface FolderPage {
  folderId: string;
  name: string;
  role: FolderResponse['role'];
  parentId?: string;
  path: string[];
  limited: boolean;
  children: FolderChild[];
  cursor?: string;
}

export interface ListFolderOptions {
  limit?: number;
  cursor?: string;
}

/** What a move would do, shown before it is done. */
export interface MovePreview {
  nodeId: string;
  parentId: string | null;
  gainedAccess: GainedAccess;
}

export interface MoveOptions {
  /**
   * Called with the dry run's answer when the move gives anyone new access; the move goes ahead
   * only if it returns true. Without it, such a move is refused with MOVE_NEEDS_CONFIRMATION.
   */
  confirm?: (preview: MovePreview) => boolean | Promise<boolean>;
}

export interface MoveResult extends MovePreview {
  moved: boolean;
}

export const newNodeId = newId;

export function folderPath(folderId: string): string {
  return `/folders/${encodeURIComponent(folderId)}`;
}

/** GET /nodes/{id} and open the node's key from its key path (an own grant, a group's, or down from a folder). */
export async function nodeKey(ctx: ClientContext, nodeId: string): Promise<OpenedNodeKey> {
  const node = await ctx.api.get<GetNodeResponse>(nodePath(nodeId));
  const key = await openKeyPath(ctx, { nodeId, kind: node.kind }, node.keyPath);
  return {
    nodeId,
    kind: node.kind,
    keyGeneration: node.keyGeneration,
    key,
    limited: node.limited,
    ...(node.parentId ? { parentId: node.parentId } : {}),
    encryptedName: node.encryptedName,
    keyChain: node.keyChain ?? {},
  };
}

/** A folder's current key and its view (GET /folders/{id}). */
export async function folderKey(ctx: ClientContext, folderId: string): Promise<{ folder: FolderResponse; key: Uint8Array }> {
  const folder = await ctx.api.get<FolderResponse>(folderPath(folderId));
  return { folder, key: await openKeyPath(ctx, { nodeId: folderId, kind: 'folder' }, folder.keyPath) };
}

/**
 * The fields that place a new node in a folder: its key wrapped under the folder's current key.
 * Used by createFolder and by upload's `parent` option.
 */
export async function placementIn(
  ctx: ClientContext,
  parentId: string,
  child: { nodeId: string; key: Uint8Array; keyGeneration: number },
): Promise<{ parentId: string; parentWrap: string; parentKeyGeneration: number }> {
  const { folder, key } = await folderKey(ctx, parentId);
  try {
    return {
      parentId,
      parentWrap: await wrapKeyUnderKey(key, child.key, childLabel(child.nodeId, child.keyGeneration, parentId, folder.keyGeneration)),
      parentKeyGeneration: folder.keyGeneration,
    };
  } finally {
    key.fill(0);
  }
}

/** Creates a folder: its key, encrypted name and the key wrapped for yourself (and under the parent's key) are made here. */
export async function createFolder(ctx: ClientContext, name: string, options: CreateFolderOptions = {}): Promise<CreatedFolder> {
  const session = await ctx.keeper.current();
  const folderId = newNodeId();
  const key = generateDataKey();
  try {
    const node = { kind: 'folder' as const, nodeId: folderId, keyGeneration: 1 };
    const ownPublicKey = await importPublicKey(fromBase64Url(session.publicKeySpki));
    const body: CreateFolderBody = {
      folderId,
      encryptedName: await encryptMetadata(key, folderId, NAME_FIELD, name),
      keyGeneration: 1,
      ownerWrappedKey: await wrapNodeKey(ownPublicKey, key, node, `u:${session.userId}`),
      fingerprint: session.fingerprint,
      ...(options.parent ? await placementIn(ctx, options.parent, { nodeId: folderId, key, keyGeneration: 1 }) : {}),
    };
    const created = await ctx.api.post<CreateFolderResponse>('/folders', body);
    return { folderId, name, ...(created.parentId ? { parentId: created.parentId } : {}), path: created.path };
  } finally {
    key.fill(0);
  }
}

export interface FolderInfo {
  folderId: string;
  name: string;
  ownerId: string;
  role: FolderResponse['role'];
  capabilities: FolderResponse['capabilities'];
  parentId?: string;
  path: string[];
  limited: boolean;
  keyGeneration: number;
  createdAt: string;
}

/** A folder, its name decrypted. */
export async function getFolder(ctx: ClientContext, folderId: string): Promise<FolderInfo> {
  const { folder, key } = await folderKey(ctx, folderId);
  try {
    return {
      folderId,
      name: await decryptMetadata(key, folderId, NAME_FIELD, folder.encryptedName),
      ownerId: folder.ownerId,
      role: folder.role,
      capabilities: folder.capabilities,
      ...(folder.parentId ? { parentId: folder.parentId } : {}),
      path: folder.path,
      limited: folder.limited,
      keyGeneration: folder.keyGeneration,
      createdAt: folder.createdAt,
    };
  } finally {
    key.fill(0);
  }
}

/** One page of a folder's children, names decrypted: the folder key from its key path, then each child's parent wrap. */
export async function listFolder(ctx: ClientContext, folderId: string, options: ListFolderOptions = {}): Promise<FolderPage> {
  const [{ folder, key }, page] = await Promise.all([
    folderKey(ctx, folderId),
    ctx.api.get<ListChildrenResponse>(`${folderPath(folderId)}/children`, { query: { limit: options.limit, cursor: options.cursor } }),
  ]);
  try {
    const children = await mapBounded(page.children, ctx.tuning.listConcurrency, (child) =>
      childEntry(ctx, child, { folderId, key, keyGeneration: page.keyGeneration, keyChain: page.keyChain }),
    );
    return {
      folderId,
      name: await decryptMetadata(key, folderId, NAME_FIELD, folder.encryptedName),
      role: folder.role,
      ...(folder.parentId ? { parentId: folder.parentId } : {}),
      path: folder.path,
      limited: folder.limited,
      children,
      ...(page.cursor ? { cursor: page.cursor } : {}),
    };
  } finally {
    key.fill(0);
  }
}

/** Every child of a folder, page after page. */
export async function* listFolderAll(ctx: ClientContext, folderId: string, pageSize = 100): AsyncGenerator<FolderChild, void, undefined> {
  let cursor: string | undefined;
  do {
    const page = await listFolder(ctx, folderId, { limit: pageSize, ...(cursor && { cursor }) });
    yield* page.children;
    cursor = page.cursor;
  } while (cursor);
}

async function childEntry(
  ctx: ClientContext,
  child: ChildEntry,
  folder: { folderId: string; key: Uint8Array; keyGeneration: number; keyChain: Record<string, string> | undefined },
): Promise<FolderChild> {
  const entry: FolderChild = {
    nodeId: child.nodeId,
    kind: child.kind,
    name: undefined,
    ownerId: child.ownerId,
    role: child.role,
    limited: child.limited,
    keyGeneration: child.keyGeneration,
    createdAt: child.createdAt,
  };
  if (child.kind === 'document' && child.size !== undefined) {
    entry.size = plaintextSize(child.size);
    entry.ciphertextSize = child.size;
    if (child.version !== undefined) entry.version = child.version;
  }
  let key: Uint8Array | undefined;
  try {
    if (child.parentWrap && child.parentKeyGeneration !== undefined) {
      const parentKey = await keyAtGeneration(folder.key, folder.folderId, folder.keyGeneration, child.parentKeyGeneration, folder.keyChain);
      key = await unwrapKeyUnderKey(
        parentKey,
        child.parentWrap,
        childLabel(child.nodeId, child.keyGeneration, folder.folderId, child.parentKeyGeneration),
      );
      if (parentKey !== folder.key) parentKey.fill(0);
    } else {
      // A limited child inherits no key: open it from the caller's own grant on it.
      key = (await nodeKey(ctx, child.nodeId)).key;
    }
    entry.name = await decryptMetadata(key, child.nodeId, NAME_FIELD, child.encryptedName);
  } catch (error) {
    // One unreadable entry must not hide the rest of the listing.
    entry.nameError = error instanceof CofferError ? error.code : 'DECRYPTION_FAILED';
  } finally {
    key?.fill(0);
  }
  return entry;
}

/** Renames a document or folder: the name is encrypted under the node's current key. */
export async function rename(ctx: ClientContext, nodeId: string, name: string): Promise<{ nodeId: string; name: string }> {
  await retryConcurrentUpdates(async () => {
    const node = await nodeKey(ctx, nodeId);
    try {
      const body: RenameNodeBody = { encryptedName: await encryptMetadata(node.key, nodeId, NAME_FIELD, name), keyGeneration: node.keyGeneration };
      await ctx.api.request<unknown>('PUT', `${nodePath(nodeId)}/name`, { body });
    } finally {
      node.key.fill(0);
    }
  });
  return { nodeId, name };
}

/**
 * Moves a document or folder into a folder, or to the top level (`null`). A dry run first
 * reports who would gain access; when anyone would, `options.confirm` decides. Then the node's
 * key is wrapped under the destination's key (not for a limited folder, which inherits nothing).
 */
export async function move(ctx: ClientContext, nodeId: string, parentId: string | null, options: MoveOptions = {}): Promise<MoveResult> {
  const dry: MoveNodeBody = { parentId, dryRun: true };
  const answer = await ctx.api.post<MoveNodeResponse>(`${nodePath(nodeId)}/move`, dry);
  const preview: MovePreview = { nodeId, parentId, gainedAccess: answer.gainedAccess };
  const gains = answer.gainedAccess.principals.length > 0 || answer.gainedAccess.people > 0;
  if (gains) {
    if (!options.confirm) {
      throw new CofferError(
        'MOVE_NEEDS_CONFIRMATION',
        `Moving there gives ${describeGain(answer.gainedAccess)} access: confirm the move.`,
        { gainedAccess: answer.gainedAccess },
      );
    }
    if (!(await options.confirm(preview))) return { ...preview, moved: false };
  }
  const done = await retryConcurrentUpdates(async () => {
    const body: MoveNodeBody = { parentId, ...(parentId ? await wrapForDestination(ctx, nodeId, parentId) : {}) };
    return ctx.api.post<MoveNodeResponse>(`${nodePath(nodeId)}/move`, body);
  });
  return { nodeId, parentId, gainedAccess: done.gainedAccess, moved: true };
}

/** "3 more people", "1 more person". */
export function describeGain(gained: GainedAccess): string {
  return `${gained.people} more ${gained.people === 1 ? 'person' : 'people'}`;
}

async function wrapForDestination(ctx: ClientContext, nodeId: string, parentId: string): Promise<Partial<MoveNodeBody>> {
  const node = await nodeKey(ctx, nodeId);
  try {
    if (node.limited) return {};
    return await placementIn(ctx, parentId, node);
  } finally {
    node.key.fill(0);
  }
}

/**
 * Limited access on: a new folder key; the old one chained under it (children keep opening);
 * the new key wrapped for exactly the folder's direct grantees (pin-checked users, groups at their
 * current key) and for yourself. Readers who only inherited access lose it.
 */
export function limitFolder(ctx: ClientContext, folderId: string): Promise<LimitFolderResponse> {
  return withDirectGrantees(ctx, folderId, async (grantees) => {
    const { folder, key: oldKey } = await folderKey(ctx, folderId);
    const newKey = generateDataKey();
    try {
      const node = { kind: 'folder' as const, nodeId: folderId, keyGeneration: folder.keyGeneration, encryptedName: folder.encryptedName };
      const body: LimitFolderBody = { limited: true, ...(await newGeneration(ctx, node, oldKey, newKey, grantees)) };
      return await ctx.api.post<LimitFolderResponse>(`${folderPath(folderId)}/limit`, body);
    } finally {
      newKey.fill(0);
      oldKey.fill(0);
    }
  });
}

/** Limited access off: the folder inherits again; its key is wrapped under the parent's (you need access to the parent). */
export async function unlimitFolder(ctx: ClientContext, folderId: string): Promise<LimitFolderResponse> {
  return retryConcurrentUpdates(async () => {
    const node = await nodeKey(ctx, folderId);
    try {
      if (!node.parentId) throw new CofferError('NOT_IN_A_FOLDER', 'A top-level folder inherits nothing: there is nothing to limit.');
      const placed = await placementIn(ctx, node.parentId, node).catch((error: unknown) => {
        if (error instanceof CofferError && (error.code === 'FOLDER_NOT_FOUND' || error.code === 'NODE_NOT_FOUND')) {
          throw new CofferError('PARENT_NOT_ACCESSIBLE', 'Turning limited access off needs access to the parent folder: ask its owner.');
        }
        throw error;
      });
      const body: LimitFolderBody = { limited: false, parentWrap: placed.parentWrap, parentKeyGeneration: placed.parentKeyGeneration };
      return await ctx.api.post<LimitFolderResponse>(`${folderPath(folderId)}/limit`, body);
    } finally {
      node.key.fill(0);
    }
  });
}

/** Deletes a folder and everything in it, for everyone (owner only). */
export function deleteFolder(ctx: ClientContext, folderId: string): Promise<DeleteFolderResponse> {
  return ctx.api.delete<DeleteFolderResponse>(folderPath(folderId));
}

function childLabel(childId: string, generation: number, parentId: string, parentGeneration: number) {
  return { kind: 'folder-child', resourceId: childId, generation, parentId, parentGeneration } as const;
}

import {
  encryptBytes,
  encryptMetadata,
  fromBase64Url,
  generateDataKey,
  toBase64Url,
  unwrapKey,
  unwrapKeyUnderKey,
  wrapKey,
  wrapKeyUnderKey,
} from '../../shared/core/crypto/index.js';
import type { Actor } from './actors.js';
import { newDocumentId } from './actors.js';
import { api } from './http.js';

/**
 * Folder flows at the protocol level with real crypto, holding only what a client holds:
 * the keys it generated or unwrapped from what the server returned.
 */
export interface FolderHandle {
  folderId: string;
  key: Uint8Array;
  generation: number;
}

export interface DocumentHandle {
  documentId: string;
  dek: Uint8Array;
  ciphertext: Uint8Array;
}

export const folderLabel = (folderId: string, generation: number, recipientId: string) =>
  ({ kind: 'folder', resourceId: folderId, generation, recipientId }) as const;

export const childLabel = (childId: string, generation: number, parentId: string, parentGeneration: number) =>
  ({ kind: 'folder-child', resourceId: childId, generation, parentId, parentGeneration }) as const;

export const chainLabel = (folderId: string, oldGeneration: number) =>
  ({ kind: 'key-chain', resourceId: folderId, generation: oldGeneration, parentId: folderId, parentGeneration: oldGeneration + 1 }) as const;

/** The body of POST /folders, with a fresh id and key. */
export async function folderBody(owner: Actor, name: string, parent?: FolderHandle, id = newDocumentId()) {
  const key = generateDataKey();
  const body = {
    folderId: id,
    encryptedName: await encryptMetadata(key, id, 'name', name),
    keyGeneration: 1,
    ownerWrappedKey: toBase64Url(await wrapKey(owner.publicKey, key, folderLabel(id, 1, `u:${owner.userId}`))),
    fingerprint: owner.fingerprint,
    ...(parent
      ? {
          parentId: parent.folderId,
          parentWrap: await wrapKeyUnderKey(parent.key, key, childLabel(id, 1, parent.folderId, parent.generation)),
          parentKeyGeneration: parent.generation,
        }
      : {}),
  };
  return { body, handle: { folderId: id, key, generation: 1 } as FolderHandle };
}

/** POST /folders; throws unless 201. */
export async function mkdir(url: string, owner: Actor, name: string, parent?: FolderHandle): Promise<FolderHandle> {
  const { body, handle } = await folderBody(owner, name, parent);
  const res = await api(url, 'POST', '/folders', { token: owner.accessToken, body });
  if (res.status !== 201) throw new Error(`mkdir ${name}: ${res.status} ${JSON.stringify(res.body)}`);
  return handle;
}

/** A share grant of a folder's current key for `to`. */
export async function folderGrant(to: Actor, folder: FolderHandle, role = 'viewer') {
  const wrapped = await wrapKey(to.publicKey, folder.key, folderLabel(folder.folderId, folder.generation, `u:${to.userId}`));
  return { principalId: `u:${to.userId}`, wrappedKey: toBase64Url(wrapped), fingerprint: to.fingerprint, role };
}

/** POST /nodes/{id}/share of a folder; throws unless 200. */
export async function shareFolder(url: string, by: Actor, folder: FolderHandle, to: Actor, role = 'viewer'): Promise<void> {
  const res = await api(url, 'POST', `/nodes/${folder.folderId}/share`, {
    token: by.accessToken,
    body: { keyGeneration: folder.generation, grants: [await folderGrant(to, folder, role)] },
  });
  if (res.status !== 200) throw new Error(`share ${folder.folderId} with ${to.userId}: ${res.status} ${JSON.stringify(res.body)}`);
}

/** The whole upload into a folder: encrypt, create with the DEK under the folder key, PUT, complete. */
export async function uploadInto(url: string, owner: Actor, folder: FolderHandle, plaintext: Uint8Array, name: string): Promise<DocumentHandle> {
  const documentId = newDocumentId();
  const dek = generateDataKey();
  const ciphertext = await encryptBytes(dek, { documentId, version: 1 }, plaintext);
  const wrapped = await wrapKey(owner.publicKey, dek, { kind: 'dek', resourceId: documentId, generation: 1, recipientId: `u:${owner.userId}` });
  const created = await api(url, 'POST', '/documents', {
    token: owner.accessToken,
    body: {
      documentId,
      size: ciphertext.length,
      keyGeneration: 1,
      encryptedName: await encryptMetadata(dek, documentId, 'name', name),
      grants: [{ userId: owner.userId, wrappedKey: toBase64Url(wrapped), fingerprint: owner.fingerprint }],
      parentId: folder.folderId,
      parentWrap: await wrapKeyUnderKey(folder.key, dek, childLabel(documentId, 1, folder.folderId, folder.generation)),
      parentKeyGeneration: folder.generation,
    },
  });
  if (created.status !== 201) throw new Error(`create in folder: ${created.status} ${JSON.stringify(created.body)}`);
  const put = await fetch(created.body.upload.url, { method: 'PUT', body: Buffer.from(ciphertext) });
  if (!put.ok) throw new Error(`PUT: ${put.status}`);
  const done = await api(url, 'POST', `/documents/${documentId}/complete`, { token: owner.accessToken, body: {} });
  if (done.status !== 200) throw new Error(`complete: ${done.status} ${JSON.stringify(done.body)}`);
  return { documentId, dek, ciphertext };
}

interface KeyPath {
  entry: { nodeId: string; principalId: string; wrappedKey: string; keyGeneration: number };
  steps: { nodeId: string; keyGeneration: number; parentId: string; parentKeyGeneration: number; wrappedKey: string }[];
  chains: Record<string, Record<string, string>>;
}

/**
 * Opens a node key from a key path with the actor's private key and nothing else: the entry,
 * then each step under its parent's key, down folder key chains for older generations.
 */
export async function openKeyPath(actor: Actor, target: { nodeId: string; kind: 'document' | 'folder' }, keyPath: KeyPath): Promise<Uint8Array> {
  const { entry, steps } = keyPath;
  const entryKind = steps.length > 0 || target.kind === 'folder' ? 'folder' : 'dek';
  let key = await unwrapKey(actor.privateKey, fromBase64Url(entry.wrappedKey), {
    kind: entryKind,
    resourceId: entry.nodeId,
    generation: entry.keyGeneration,
    recipientId: entry.principalId,
  });
  let holder = { nodeId: entry.nodeId, generation: entry.keyGeneration };
  for (const step of steps) {
    const parentKey = await olderKey(key, holder.nodeId, holder.generation, step.parentKeyGeneration, keyPath.chains[holder.nodeId]);
    key = await unwrapKeyUnderKey(parentKey, step.wrappedKey, childLabel(step.nodeId, step.keyGeneration, step.parentId, step.parentKeyGeneration));
    holder = { nodeId: step.nodeId, generation: step.keyGeneration };
  }
  const last = steps.at(-1)?.nodeId ?? entry.nodeId;
  if (last !== target.nodeId) throw new Error(`the key path ends at ${last}, not ${target.nodeId}`);
  return key;
}

/** A folder key of an older generation, down its key chain. */
export async function olderKey(key: Uint8Array, folderId: string, from: number, to: number, chain: Record<string, string> | undefined): Promise<Uint8Array> {
  let current = key;
  for (let g = from - 1; g >= to; g--) {
    const wrapped = chain?.[String(g)];
    if (!wrapped) throw new Error(`no chain link for ${folderId} generation ${g}`);
    current = await unwrapKeyUnderKey(current, wrapped, chainLabel(folderId, g));
  }
  return current;
}

import type { KeyPath } from '../../shared/core/api/keyPath.js';
import { fromBase64Url, unwrapKey, unwrapKeyUnderKey, unwrapLinkKey } from '../../shared/core/crypto/index.js';
import { DecryptionFailed, ValidationFailed } from '../../shared/core/errors/index.js';
import type { GroupKeySource } from './ClientContext.js';

export type NodeKind = 'document' | 'folder';

/** The RSA-OAEP label of a node key wrapped for a principal (`u:<userId>` or `g:<groupId>`). */
export function nodeKeyLabel(kind: NodeKind, nodeId: string, generation: number, recipientId: string) {
  return { kind: kind === 'folder' ? 'folder' : 'dek', resourceId: nodeId, generation, recipientId } as const;
}

/** The principal id of a key path entry that comes from a share link (docs/links.md, openLink). */
export const LINK_PRINCIPAL = 'link';

/**
 * What can open a key path's entry: the signed-in user's private key (a ClientContext is one),
 * the user's group keys, or a share link's key. Only the sources given are ever tried.
 */
export interface KeySources {
  privateKey?: () => Promise<CryptoKey>;
  groupKeys?: () => Promise<GroupKeySource>;
  /** The link key (deriveLinkKeys) for an entry with principalId 'link'. Not wiped here. */
  linkKey?: Uint8Array;
}

/**
 * Opens a node's key from the key path the server returned (docs/permissions.md, "The key path"):
 * the entry with the user's private key (or a group's, from the group keyring, or a share link's
 * key), then each step down the tree under its parent's key, following folder key chains for
 * older generations. Every label binds ids and generations, so a server cannot splice another
 * node's keys in.
 */
export async function openKeyPath(keys: KeySources, target: { nodeId: string; kind: NodeKind }, keyPath: KeyPath): Promise<Uint8Array> {
  const { entry, steps } = keyPath;
  const last = steps.length > 0 ? steps[steps.length - 1]!.nodeId : entry.nodeId;
  if (last !== target.nodeId) throw new DecryptionFailed();
  let key = await openEntry(keys, entry, steps.length > 0 ? 'folder' : target.kind);
  let holder = { nodeId: entry.nodeId, generation: entry.keyGeneration };
  for (const step of steps) {
    if (step.parentId !== holder.nodeId || step.parentKeyGeneration > holder.generation) throw new DecryptionFailed();
    const parentKey = await keyAtGeneration(key, holder.nodeId, holder.generation, step.parentKeyGeneration, keyPath.chains[holder.nodeId]);
    const child = await unwrapKeyUnderKey(parentKey, step.wrappedKey, {
      kind: 'folder-child',
      resourceId: step.nodeId,
      generation: step.keyGeneration,
      parentId: step.parentId,
      parentGeneration: step.parentKeyGeneration,
    });
    if (parentKey !== key) parentKey.fill(0);
    key.fill(0);
    key = child;
    holder = { nodeId: step.nodeId, generation: step.keyGeneration };
  }
  return key;
}

async function openEntry(keys: KeySources, entry: KeyPath['entry'], entryKind: NodeKind): Promise<Uint8Array> {
  if (entry.principalId === LINK_PRINCIPAL) {
    // A link's wrap (docs/links.md): the key-under-key format under the link key.
    if (!keys.linkKey) throw new DecryptionFailed();
    try {
      return await unwrapLinkKey(keys.linkKey, entry.wrappedKey, { nodeId: entry.nodeId, keyGeneration: entry.keyGeneration });
    } catch (error) {
      // An entry whose ids or generation break the label rules came from the server: tampering, not a caller bug.
      if (error instanceof ValidationFailed) throw new DecryptionFailed();
      throw error;
    }
  }
  let privateKey: CryptoKey;
  if (entry.principalId.startsWith('g:')) {
    if (entry.principalKeyGeneration === undefined || !keys.groupKeys) throw new DecryptionFailed();
    privateKey = await (await keys.groupKeys()).privateKeyFor(entry.principalId.slice(2), entry.principalKeyGeneration);
  } else {
    if (!keys.privateKey) throw new DecryptionFailed();
    privateKey = await keys.privateKey();
  }
  return unwrapKey(privateKey, fromBase64Url(entry.wrappedKey), nodeKeyLabel(entryKind, entry.nodeId, entry.keyGeneration, entry.principalId));
}

/** A folder's key of an older generation, down its key chain from the current one. */
export async function keyAtGeneration(
  current: Uint8Array,
  folderId: string,
  currentGeneration: number,
  wanted: number,
  chain: Record<string, string> | undefined,
): Promise<Uint8Array> {
  let key = current;
  for (let g = currentGeneration - 1; g >= wanted; g--) {
    const wrapped = chain?.[String(g)];
    if (!wrapped) throw new DecryptionFailed();
    const older = await unwrapKeyUnderKey(key, wrapped, {
      kind: 'key-chain',
      resourceId: folderId,
      generation: g,
      parentId: folderId,
      parentGeneration: g + 1,
    });
    if (key !== current) key.fill(0);
    key = older;
  }
  return key;
}

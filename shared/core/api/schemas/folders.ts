import { z } from 'zod';
import type { KeyPath } from '../keyPath.js';
import type { Capability, Role } from '../../permissions/levels.js';
import { base64url, cursor, documentId, fingerprint, keyGeneration, keyUnderKey, principalId, wrappedKey } from './common.js';

/** Node ids (documents and folders) are the same 22 base64url characters, chosen by the client. */
const nodeId = documentId;

/** One transaction holds at most 100 items: the folder's META and at most 99 direct grants. */
export const MAX_LIMIT_GRANTS = 99;

export const folderIdParams = z.strictObject({ id: nodeId });
export const treeNodeParams = z.strictObject({ id: nodeId });

const encryptedName = base64url(16, 2048);

export const createFolderBody = z.strictObject({
  folderId: nodeId,
  /** Absent: at the root. */
  parentId: nodeId.optional(),
  /** encryptMetadata(folderKey, folderId, 'name', name). */
  encryptedName,
  keyGeneration: z.literal(1),
  /** The folder key wrapped for the creator: wrapKey(kind 'folder', recipientId 'u:<id>'). */
  ownerWrappedKey: wrappedKey,
  /** Fingerprint of the creator's own public key (the one ownerWrappedKey was made for). */
  fingerprint,
  /** In a folder: the new folder's key wrapped under the parent's current key. */
  parentWrap: keyUnderKey.optional(),
  parentKeyGeneration: keyGeneration.optional(),
});
export type CreateFolderBody = z.infer<typeof createFolderBody>;

export const listChildrenQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(100).default(50),
  cursor: cursor.optional(),
});

export const renameNodeBody = z.strictObject({
  /** encryptMetadata(nodeKey, nodeId, 'name', name), under the node's current key. */
  encryptedName,
  keyGeneration,
});
export type RenameNodeBody = z.infer<typeof renameNodeBody>;

export const moveNodeBody = z.strictObject({
  /** The destination folder, or null for the root. */
  parentId: nodeId.nullable(),
  /** The node's current key wrapped under the destination's current key (not for the root or a limited node). */
  parentWrap: keyUnderKey.optional(),
  parentKeyGeneration: keyGeneration.optional(),
  /** Checks and reports who gains access, writes nothing. */
  dryRun: z.boolean().optional(),
});
export type MoveNodeBody = z.infer<typeof moveNodeBody>;

export const limitGrantInput = z.strictObject({
  principalId,
  /** The folder's NEW key wrapped for the principal: wrapKey(kind 'folder', generation new, recipientId principalId). */
  wrappedKey,
  /** Users: the fingerprint of the public key wrapped for (must be current). */
  fingerprint: fingerprint.optional(),
  /** Groups: the group key generation wrapped for (must be current). */
  principalKeyGeneration: keyGeneration.optional(),
});
export type LimitGrantInput = z.infer<typeof limitGrantInput>;

export const limitFolderBody = z.discriminatedUnion('limited', [
  z.strictObject({
    limited: z.literal(true),
    /** The folder's current key generation + 1. */
    keyGeneration,
    /** The old key under the new one: wrapKeyUnderKey(kind 'key-chain'). */
    chainWrap: keyUnderKey,
    /** The folder's name encrypted again under the NEW key (a name is always under the current key). */
    encryptedName,
    /** Exactly every live direct grantee of the folder, plus the caller when it has no direct grant. */
    grants: z.array(limitGrantInput).min(1).max(MAX_LIMIT_GRANTS),
  }),
  z.strictObject({
    limited: z.literal(false),
    /** The folder's current key under the parent's current key. */
    parentWrap: keyUnderKey,
    parentKeyGeneration: keyGeneration,
  }),
]);
export type LimitFolderBody = z.infer<typeof limitFolderBody>;

export interface FolderResponse {
  folderId: string;
  ownerId: string;
  role: Role;
  capabilities: Capability[];
  encryptedName: string;
  keyGeneration: number;
  limited: boolean;
  parentId?: string;
  /** Ancestor folder ids, parent first (verified). */
  path: string[];
  createdAt: string;
  /** How the caller opens the folder key. */
  keyPath: KeyPath;
  /** Older generations of this folder's key, each under the next: children wrapped before a limit. */
  keyChain?: Record<string, string>;
}

export interface CreateFolderResponse {
  folderId: string;
  parentId?: string;
  path: string[];
  keyGeneration: number;
  createdAt: string;
}

export interface ChildEntry {
  nodeId: string;
  kind: 'document' | 'folder';
  ownerId: string;
  role: Role;
  limited: boolean;
  encryptedName: string;
  keyGeneration: number;
  /** Absent on a limited child: open it from the caller's own grant (GET the node). */
  parentWrap?: string;
  parentKeyGeneration?: number;
  /** Documents: ciphertext size and current version. */
  size?: number;
  version?: number;
  createdAt: string;
}

export interface ListChildrenResponse {
  folderId: string;
  keyGeneration: number;
  keyChain?: Record<string, string>;
  children: ChildEntry[];
  cursor?: string;
}

export interface GainedAccess {
  /** Principals with a live level at the destination that had none on the node. */
  principals: string[];
  /** Users among them, plus each gained group's member count. */
  people: number;
}

export interface MoveNodeResponse {
  nodeId: string;
  parentId: string | null;
  dryRun: boolean;
  gainedAccess: GainedAccess;
}

export interface RenameNodeResponse {
  nodeId: string;
  keyGeneration: number;
}

export interface LimitFolderResponse {
  folderId: string;
  limited: boolean;
  keyGeneration: number;
}

export interface DeleteFolderResponse {
  folderId: string;
  deletedFolders: number;
  deletedDocuments: number;
}

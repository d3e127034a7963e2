import type { KeyPath } from '../keyPath.js';
import { z } from 'zod';
import { documentId, fingerprint, keyGeneration, principalId, userId, wrappedKey } from './common.js';

/** Principals per request: one DynamoDB transaction holds at most 100 items. */
export const MAX_PRINCIPALS_PER_REQUEST = 50;
/** Checks per batch request. */
export const MAX_CHECK_IDS = 100;

/** Levels that can be granted: owner only moves by transfer. */
export const grantableRole = z.enum(['viewer', 'commenter', 'editor', 'manager']);

const expiresAt = z.iso.datetime({ offset: true });

export const nodeIdParams = z.strictObject({ id: documentId });
export const nodeGrantParams = z.strictObject({ id: documentId, principalId });

export const shareGrant = z.strictObject({
  principalId,
  /** The node key wrapped for the principal's current public key (a user's, or a group's). */
  wrappedKey,
  /** Fingerprint of that public key: must be the principal's current one. */
  fingerprint,
  role: grantableRole.default('viewer'),
  /** The grant is void from this instant (future, at most a year ahead). */
  expiresAt: expiresAt.optional(),
});
export type ShareGrant = z.infer<typeof shareGrant>;

export const shareNodeBody = z.strictObject({
  /** The node key generation the keys were wrapped from. */
  keyGeneration,
  grants: z.array(shareGrant).min(1).max(MAX_PRINCIPALS_PER_REQUEST),
});
export type ShareNodeBody = z.infer<typeof shareNodeBody>;

export const revokeNodeBody = z.strictObject({
  principalIds: z.array(principalId).min(1).max(MAX_PRINCIPALS_PER_REQUEST),
});

export const changeGrantBody = z.strictObject({
  role: grantableRole,
  /** Omit or null: no expiry. */
  expiresAt: expiresAt.nullable().optional(),
});
export type ChangeGrantBody = z.infer<typeof changeGrantBody>;

/** Most versions retention can be set to keep. */
export const MAX_KEEP_VERSIONS = 1000;

export const changeSettingsBody = z
  .strictObject({
    editorsCanShare: z.boolean().optional(),
    /** Documents: keep this many active versions (older ones are pruned on the next upload); null keeps all. */
    keepVersions: z.number().int().min(1).max(MAX_KEEP_VERSIONS).nullable().optional(),
  })
  .refine((b) => b.editorsCanShare !== undefined || b.keepVersions !== undefined, 'send editorsCanShare, keepVersions or both');
export type ChangeSettingsBody = z.infer<typeof changeSettingsBody>;

export const transferOwnershipBody = z.strictObject({ newOwnerId: userId });

export const checkAccessBody = z.strictObject({
  nodeIds: z.array(documentId).min(1).max(MAX_CHECK_IDS),
});

export interface PermissionEntry {
  principalId: string;
  principalKind: 'user' | 'group';
  role: string;
  /** `direct`: granted on this node; `inherited`: from the folder `inheritedFrom`. */
  source: 'direct' | 'inherited';
  inheritedFrom?: string;
  expiresAt?: string;
}

export interface ListPermissionsResponse {
  nodeId: string;
  ownerId: string;
  limited: boolean;
  entries: PermissionEntry[];
}

export interface ShareNodeResponse {
  nodeId: string;
  sharedWith: string[];
}

export interface RevokeNodeResponse {
  nodeId: string;
  revoked: string[];
}

export interface CheckAccessResponse {
  results: { nodeId: string; role: string; capabilities: string[] }[];
}

export interface GetNodeResponse {
  nodeId: string;
  kind: 'document' | 'folder';
  ownerId: string;
  role: string;
  capabilities: string[];
  parentId?: string;
  limited: boolean;
  settings: { editorsCanShare: boolean; keepVersions?: number };
  encryptedName: string;
  keyGeneration: number;
  keyPath: KeyPath;
  /** `keyChain[g]`: the node's key of generation g wrapped under generation g+1's (after rotations or a limit). */
  keyChain: Record<string, string>;
}

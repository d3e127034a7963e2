import { z } from 'zod';
import type { KeyPath } from '../keyPath.js';
import { cursor, documentId, keyGeneration, keyUnderKey, userId } from './common.js';

/**
 * Share links at the edge (docs/links.md, "API"). The token, the proof and the secret are 32
 * bytes as base64url: 43 characters, shape-checked here before anything else runs.
 */

/** Listed users per link: one BatchGet checks them all. */
export const MAX_LINK_USERS = 50;
export const MAX_LINK_DOWNLOADS = 1_000_000;

const thirtyTwoBytes = z.string().regex(/^[A-Za-z0-9_-]{43}$/, 'must be 43 base64url characters (32 bytes)');

export const linkToken = thirtyTwoBytes;
export const linkProof = thirtyTwoBytes;
/** The first 128 bits of the token's hash, as lower-case hex (never starts with '-'). */
export const linkId = z.string().regex(/^[0-9a-f]{32}$/, 'must be 32 lower-case hex characters');

export const linkNodeParams = z.strictObject({ id: documentId });
export const linkIdParams = z.strictObject({ linkId });

/** The Argon2id cost the creator chose; the salt is derived from the secret, so it is not sent. */
export const linkKdf = z.strictObject({
  algorithm: z.literal('argon2id'),
  memoryKiB: z.number().int().min(8).max(1_048_576),
  iterations: z.number().int().min(1).max(64),
  parallelism: z.number().int().min(1).max(16),
});
export type LinkKdf = z.infer<typeof linkKdf>;

export const linkAudience = z.discriminatedUnion('mode', [
  z.strictObject({ mode: z.literal('anyone') }),
  z.strictObject({ mode: z.literal('signed-in') }),
  z.strictObject({ mode: z.literal('members') }),
  z.strictObject({ mode: z.literal('users'), users: z.array(userId).min(1).max(MAX_LINK_USERS) }),
]);
export type LinkAudience = z.infer<typeof linkAudience>;

export const linkAccess = z.enum(['download', 'view']);
export type LinkAccess = z.infer<typeof linkAccess>;

export const createLinkBody = z.strictObject({
  /** The node key under the link key (wrapKeyUnderKey, kind `link`). */
  wrappedKey: keyUnderKey,
  /** The node key generation wrapped: must be the node's current one. */
  keyGeneration,
  access: linkAccess.default('download'),
  /** Default: now + linkDefaultTtlSeconds; must be after now and at most now + linkMaxTtlSeconds. */
  expiresAt: z.iso.datetime({ offset: true }).optional(),
  maxDownloads: z.number().int().min(1).max(MAX_LINK_DOWNLOADS).optional(),
  password: z.strictObject({ proof: linkProof, kdf: linkKdf }).optional(),
  audience: linkAudience.default({ mode: 'anyone' }),
});
export type CreateLinkBody = z.infer<typeof createLinkBody>;

export const listLinksQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(100).default(50),
  cursor: cursor.optional(),
});

export const openLinkBody = z.strictObject({
  token: linkToken,
  proof: linkProof.optional(),
  /** A descendant of a folder link; default the link's own node. */
  nodeId: documentId.optional(),
  /** The next page of a folder listing. */
  cursor: cursor.optional(),
});
export type OpenLinkBody = z.infer<typeof openLinkBody>;

/** `stale`: the node's key changed since the link was made (a revoke, a rotation); it opens nothing any more. */
export type LinkState = 'active' | 'expired' | 'exhausted' | 'stale' | 'locked';

/** What a link's managers see: never a token or a verifier. */
export interface LinkSummary {
  linkId: string;
  nodeId: string;
  nodeKind: 'document' | 'folder';
  createdBy: string;
  createdAt: string;
  expiresAt: string;
  access: LinkAccess;
  audience: LinkAudience;
  maxDownloads?: number;
  downloads: number;
  accessCount: number;
  lastAccessAt?: string;
  passwordProtected: boolean;
  lockedUntil?: string;
  state: LinkState;
}

export interface CreateLinkResponse {
  link: LinkSummary;
  /** Shown once, never stored. */
  token: string;
}

export interface ListLinksResponse {
  links: LinkSummary[];
  cursor?: string;
}

export interface RevokeLinkResponse {
  linkId: string;
  revoked: true;
}

export interface LinkChild {
  nodeId: string;
  kind: 'document' | 'folder';
  encryptedName: string;
  keyGeneration: number;
  parentWrap: string;
  parentKeyGeneration: number;
  size?: number;
  version?: number;
  /** A document: the key generation its current version is encrypted under (see `keyChain`). */
  versionKeyGeneration?: number;
  /** A document: its current version's ciphertext digest (docs/versions.md, "Integrity"). */
  digest?: string;
  createdAt: string;
}

export interface OpenedLinkNode {
  nodeId: string;
  kind: 'document' | 'folder';
  parentId?: string;
  encryptedName: string;
  keyGeneration: number;
  size?: number;
  version?: number;
  /** A document: the key generation its current version is encrypted under (see `keyChain`). */
  versionKeyGeneration?: number;
  /** A document: its current version's ciphertext digest (docs/versions.md, "Integrity"). */
  digest?: string;
  createdAt: string;
}

export interface OpenLinkResponse {
  link: { linkId: string; nodeId: string; nodeKind: 'document' | 'folder'; access: LinkAccess; expiresAt: string; downloadsLeft?: number };
  node: OpenedLinkNode;
  keyPath: KeyPath;
  /** A document: its key chain from the key path's generation down to `node.versionKeyGeneration`. */
  keyChain?: Record<string, string>;
  download?: { url: string; expiresAt: string };
  children?: LinkChild[];
  cursor?: string;
}

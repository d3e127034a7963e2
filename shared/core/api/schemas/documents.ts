import type { KeyPath } from '../keyPath.js';
import { z } from 'zod';
import { base64url, ciphertextDigest, cursor, documentId, fingerprint, keyGeneration, keyUnderKey, userId, wrappedKey } from './common.js';

/** Ciphertext size limit: S3's 5 TiB object maximum. */
export const MAX_OBJECT_SIZE = 5 * 1024 ** 4;
/** Recipients per request: one DynamoDB transaction holds at most 100 items. */
export const MAX_GRANTS_PER_REQUEST = 50;

export const grantInput = z.strictObject({
  userId,
  wrappedKey,
  /** Fingerprint of the public key the client wrapped for; must be the user's current key. */
  fingerprint,
});
export type GrantInput = z.infer<typeof grantInput>;

export const documentIdParams = z.strictObject({ id: documentId });

export const createDocumentBody = z.strictObject({
  documentId,
  /** Ciphertext size in bytes, exactly what will be uploaded. */
  size: z.number().int().min(1).max(MAX_OBJECT_SIZE),
  keyGeneration: z.literal(1),
  encryptedName: base64url(16, 2048),
  encryptedMetadata: base64url(16, 8192).optional(),
  grants: z.array(grantInput).min(1).max(MAX_GRANTS_PER_REQUEST),
  /** In a folder: its id, and this document's key wrapped under the folder's current key. */
  parentId: documentId.optional(),
  parentWrap: keyUnderKey.optional(),
  parentKeyGeneration: keyGeneration.optional(),
});
export type CreateDocumentBody = z.infer<typeof createDocumentBody>;

/** The ETag of every part of a multipart upload, as S3 answered each part's PUT. */
export const uploadedParts = z
  .array(z.strictObject({ partNumber: z.number().int().min(1).max(10_000), etag: z.string().min(1).max(128) }))
  .max(10_000);

export const completeDocumentBody = z.strictObject({
  parts: uploadedParts.optional(),
  /** The ciphertext digest the uploader computed while encrypting (docs/versions.md, "Integrity"). */
  digest: ciphertextDigest.optional(),
});
export type CompleteDocumentBody = z.infer<typeof completeDocumentBody>;

export const listDocumentsQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(100).default(50),
  cursor: cursor.optional(),
});

export type UploadInstructions =
  | { kind: 'single'; url: string; method: 'PUT'; headers: Record<string, string>; expiresAt: string }
  | {
      kind: 'multipart';
      uploadId: string;
      partSize: number;
      parts: { partNumber: number; url: string }[];
      expiresAt: string;
    };

export interface CreateDocumentResponse {
  documentId: string;
  upload: UploadInstructions;
}

export interface DocumentSummary {
  documentId: string;
  kind: 'document' | 'folder';
  ownerId: string;
  role: 'owner' | 'manager' | 'editor' | 'commenter' | 'viewer';
  parentId?: string;
  size: number;
  encryptedName: string;
  encryptedMetadata?: string;
  keyGeneration: number;
  version: number;
  createdAt: string;
  sharedAt: string;
  /**
   * The node key for `keyGeneration` wrapped for one of the caller's principals, so lists decrypt
   * names without a request per document: the caller's own key, or (`wrappedFor: 'g:<id>'`) a
   * group's key of generation `principalKeyGeneration`, opened with the group keyring.
   */
  wrappedKey?: string;
  wrappedFor?: string;
  principalKeyGeneration?: number;
  /** In "shared with me" (GET /documents): every way the caller reaches the node (docs/design.md, "Shared with me"). */
  sources?: AccessSourceView[];
}

/**
 * One way the caller reaches a listed node: a grant to `principalId` (`u:<caller>`: direct;
 * `g:<groupId>`: a group the caller is in, nested too) on the node itself, or, with `folderId`,
 * on that ancestor folder (the level it gives below it).
 */
export interface AccessSourceView {
  principalId: string;
  role: DocumentSummary['role'];
  folderId?: string;
  expiresAt?: string;
}

export interface ListDocumentsResponse {
  documents: DocumentSummary[];
  cursor?: string;
}

export interface GetDocumentResponse extends DocumentSummary {
  download: { url: string; expiresAt: string };
  /** The digest of this version's ciphertext, when its uploader sent one. */
  digest?: string;
  /**
   * The document's older key generations down to this version's (`keyChain[g]` = key g under
   * key g+1): empty for a version under the current key.
   */
  keyChain: Record<string, string>;
  /** What the caller may do here. */
  capabilities: string[];
  /** How the caller opens the document key (docs/permissions.md, "The key path"). */
  keyPath: KeyPath;
}


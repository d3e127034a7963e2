import { z } from 'zod';
import { ciphertextDigest, cursor, documentId, keyGeneration, keyUnderKey, base64url } from './common.js';
import { type GetDocumentResponse, MAX_OBJECT_SIZE, type UploadInstructions, uploadedParts } from './documents.js';
import { limitGrantInput, MAX_LIMIT_GRANTS } from './folders.js';

/** The largest version number: a positive 32-bit integer. */
export const MAX_VERSION = 2 ** 31 - 1;

/** `{version}` in a path: a positive integer without sign, leading zeros or exponent. */
export const versionNumber = z
  .string()
  .regex(/^[1-9][0-9]{0,9}$/, `must be a version number from 1 to ${MAX_VERSION}`)
  .transform(Number)
  .refine((n) => n <= MAX_VERSION, `must be a version number from 1 to ${MAX_VERSION}`);

export const versionParams = z.strictObject({ id: documentId, version: versionNumber });

export const createVersionBody = z.strictObject({
  /** Ciphertext size in bytes, exactly what will be uploaded. */
  size: z.number().int().min(1).max(MAX_OBJECT_SIZE),
  /** The document key generation the content is encrypted under: must be the current one. */
  keyGeneration,
  /** A restore: the version whose content this is (recorded in the audit log, docs/audit.md). */
  restoredFrom: z.number().int().min(1).optional(),
});
export type CreateVersionBody = z.infer<typeof createVersionBody>;

export const completeVersionBody = z.strictObject({
  parts: uploadedParts.optional(),
  digest: ciphertextDigest.optional(),
});
export type CompleteVersionBody = z.infer<typeof completeVersionBody>;

export const listVersionsQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(100).default(50),
  cursor: cursor.optional(),
});

export const rotateDocumentKeyBody = z.strictObject({
  /** The document's current key generation + 1. */
  keyGeneration,
  /** The old key under the new one: wrapKeyUnderKey(kind 'key-chain'). */
  chainWrap: keyUnderKey,
  /** The name encrypted again under the NEW key. */
  encryptedName: base64url(16, 2048),
  /** The new key wrapped for exactly every live direct grantee of the document. */
  grants: z.array(limitGrantInput).min(1).max(MAX_LIMIT_GRANTS),
  /** In a folder: the new key wrapped under the folder's current key, and that generation. */
  parentWrap: keyUnderKey.optional(),
  parentKeyGeneration: keyGeneration.optional(),
});
export type RotateDocumentKeyBody = z.infer<typeof rotateDocumentKeyBody>;

/** One version as lists show it. */
export interface VersionSummary {
  version: number;
  /** Ciphertext bytes. */
  size: number;
  keyGeneration: number;
  createdBy: string;
  createdAt: string;
  digest?: string;
  /** The document's current version (its newest active one). */
  current: boolean;
}

export interface CreateVersionResponse {
  documentId: string;
  version: number;
  keyGeneration: number;
  upload: UploadInstructions;
}

export type CompleteVersionResponse = VersionSummary;

export interface ListVersionsResponse {
  versions: VersionSummary[];
  cursor?: string;
}

/** `GET /documents/{id}/versions/{version}`: the document as `GET /documents/{id}`, with this version's content fields. */
export type GetVersionResponse = GetDocumentResponse;

/** `GET /documents/{id}/versions/{version}/upload`: how to resume a pending upload. */
export interface ResumeUploadResponse {
  documentId: string;
  version: number;
  kind: 'single' | 'multipart';
  /** Multipart only. */
  uploadId?: string;
  partSize: number;
  partCount: number;
  /** Parts S3 already holds with their planned size. */
  stored: { partNumber: number; etag: string; size: number }[];
  /** A fresh presigned PUT for every other part (a single upload: part 1, the whole object). */
  parts: { partNumber: number; url: string }[];
  expiresAt: string;
  keyGeneration: number;
  /** The first version of a new document: the caller's own pending grant (its key exists nowhere else yet). */
  wrappedKey?: string;
}

export interface RotateDocumentKeyResponse {
  documentId: string;
  keyGeneration: number;
  /** Share links the new key made stale (they could be opened before, and open nothing now). */
  staleLinks: number;
}

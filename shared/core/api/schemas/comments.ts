import { z } from 'zod';
import { base64url, cursor, documentId, keyGeneration } from './common.js';

/**
 * Comment ids are ULIDs, chosen by the client so the ciphertext's AAD can bind the id
 * (`comment:<commentId>`) before the server sees it: 26 characters of Crockford base32,
 * upper case, the first 10 the creation time in milliseconds, the other 16 random (80 bits).
 * They sort by time, so a query on the sort key lists comments oldest first.
 */
export const CROCKFORD_BASE32 = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const TIME_CHARS = 10;
const RANDOM_CHARS = 16;

/** Canonical only: upper case, no I L O U, and a time that fits 48 bits (first character 0-7). */
export const commentId = z.string().regex(/^[0-7][0-9A-HJKMNP-TV-Z]{25}$/, 'must be a ULID: 26 upper-case Crockford base32 characters');

/** Comment text is at most 16 KiB of UTF-8 (the client checks; the server sees ciphertext only). */
export const MAX_COMMENT_BYTES = 16 * 1024;
/** base64url of version (1) + nonce (12) + text + tag (16): see shared/core/crypto/metadata.ts. */
const CIPHERTEXT_OVERHEAD = 1 + 12 + 16;
export const MAX_COMMENT_CIPHERTEXT_CHARS = Math.ceil(((CIPHERTEXT_OVERHEAD + MAX_COMMENT_BYTES) * 4) / 3);
const MIN_COMMENT_CIPHERTEXT_CHARS = Math.ceil(((CIPHERTEXT_OVERHEAD + 1) * 4) / 3);

/** The metadata field a comment is encrypted under: the AAD binds the document and the comment id. */
export function commentField(id: string): string {
  return `comment:${id}`;
}

/** The creation time (ms since the epoch) a comment id carries. */
export function commentIdTime(id: string): number {
  let ms = 0;
  for (const ch of id.slice(0, TIME_CHARS)) ms = ms * 32 + CROCKFORD_BASE32.indexOf(ch);
  return ms;
}

/** A new comment id for `timeMs` with 80 bits from `random` (10 bytes; crypto.getRandomValues by default). */
export function newCommentId(timeMs: number, random: Uint8Array = crypto.getRandomValues(new Uint8Array(10))): string {
  if (!Number.isSafeInteger(timeMs) || timeMs < 0 || timeMs >= 2 ** 48) throw new RangeError('timeMs must fit 48 bits');
  if (random.length !== 10) throw new RangeError('random must be 10 bytes');
  let time = '';
  for (let i = 0, t = timeMs; i < TIME_CHARS; i++, t = Math.floor(t / 32)) time = CROCKFORD_BASE32[t % 32]! + time;
  let bits = 0n;
  for (const b of random) bits = (bits << 8n) | BigInt(b);
  let rest = '';
  for (let i = 0; i < RANDOM_CHARS; i++, bits >>= 5n) rest = CROCKFORD_BASE32[Number(bits & 31n)]! + rest;
  return time + rest;
}

export const commentParams = z.strictObject({ id: documentId, commentId });

export const addCommentBody = z.strictObject({
  commentId,
  /** encryptMetadata(DEK, documentId, `comment:<commentId>`, text): the server never sees the text. */
  ciphertext: base64url(MIN_COMMENT_CIPHERTEXT_CHARS, MAX_COMMENT_CIPHERTEXT_CHARS),
  /** The document key generation the comment is encrypted under: must be the document's current one. */
  keyGeneration,
});
export type AddCommentBody = z.infer<typeof addCommentBody>;

export const listCommentsQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(100).default(50),
  cursor: cursor.optional(),
});

export interface CommentResponse {
  commentId: string;
  documentId: string;
  authorId: string;
  createdAt: string;
  keyGeneration: number;
  ciphertext: string;
}

export interface ListCommentsResponse {
  /** Oldest first. */
  comments: CommentResponse[];
  cursor?: string;
}

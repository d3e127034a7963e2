import { decryptMetadata, encryptMetadata, utf8Encode } from '../../shared/core/crypto/index.js';
import { DecryptionFailed, ValidationFailed } from '../../shared/core/errors/index.js';
import {
  type AddCommentBody,
  commentField,
  type CommentResponse,
  type ListCommentsResponse,
  MAX_COMMENT_BYTES,
  newCommentId,
} from '../../shared/core/api/schemas/comments.js';
import type { ClientContext } from './ClientContext.js';
import { nodeKey } from './folders.js';
import { keyAtGeneration } from './nodeKeys.js';
import { documentPath } from './paths.js';

/** A decrypted comment. `authorId` and `createdAt` are the server's word; the text is bound to the document and comment id. */
export interface CommentEntry {
  commentId: string;
  documentId: string;
  authorId: string;
  createdAt: string;
  keyGeneration: number;
  /** Undefined when it could not be decrypted (see textError). */
  text: string | undefined;
  textError?: string;
}

export interface CommentPage {
  /** Oldest first. */
  comments: CommentEntry[];
  cursor?: string;
}

export interface CommentListOptions {
  limit?: number;
  cursor?: string;
}

interface DocumentKey {
  /** The current key (new comments are encrypted under it). */
  dek: Uint8Array;
  keyGeneration: number;
  /** Older generations' keys, opened down the key chain on first use (comments keep their generation). */
  keyAt: (generation: number) => Promise<Uint8Array>;
  wipe: () => void;
}

/**
 * The document's current key and its key chain (GET /nodes/{id}, then its key path: a direct grant,
 * or through folders and groups; every label binds the ids).
 */
async function documentKey(ctx: ClientContext, documentId: string): Promise<DocumentKey> {
  const { key, keyGeneration, keyChain } = await nodeKey(ctx, documentId);
  const older = new Map<number, Promise<Uint8Array>>();
  return {
    dek: key,
    keyGeneration,
    keyAt: (generation) => {
      if (generation === keyGeneration) return Promise.resolve(key);
      if (generation > keyGeneration) return Promise.reject(new DecryptionFailed());
      let opened = older.get(generation);
      if (!opened) older.set(generation, (opened = keyAtGeneration(key, documentId, keyGeneration, generation, keyChain)));
      return opened;
    },
    wipe: () => {
      key.fill(0);
      for (const k of older.values()) void k.then((bytes) => bytes.fill(0), () => undefined);
    },
  };
}

function commentsPath(documentId: string): string {
  return `${documentPath(documentId)}/comments`;
}

/**
 * Comments on a document, encrypted here under the document key with
 * encryptMetadata(DEK, documentId, `comment:<commentId>`, text): the AAD binds the text to
 * its document and comment id, so the server can neither read a comment nor move one.
 * The id is a ULID made here (time-sortable; the server refuses one far from its clock).
 */
export async function addComment(ctx: ClientContext, documentId: string, text: string): Promise<CommentEntry> {
  if (typeof text !== 'string' || text.trim().length === 0) throw new ValidationFailed('A comment needs some text.');
  if (utf8Encode(text).length > MAX_COMMENT_BYTES) throw new ValidationFailed(`A comment must be at most ${MAX_COMMENT_BYTES} bytes of UTF-8.`);
  const key = await documentKey(ctx, documentId);
  const { dek, keyGeneration } = key;
  try {
    const commentId = newCommentId(Date.now());
    const body: AddCommentBody = {
      commentId,
      ciphertext: await encryptMetadata(dek, documentId, commentField(commentId), text),
      keyGeneration,
    };
    const created = await ctx.api.post<CommentResponse>(commentsPath(documentId), body);
    return { ...entryOf(created), documentId, text };
  } finally {
    key.wipe();
  }
}

/** One page of a document's comments, oldest first, decrypted. One unreadable comment does not hide the others. */
export async function listCommentsPage(ctx: ClientContext, documentId: string, options: CommentListOptions = {}): Promise<CommentPage> {
  const key = await documentKey(ctx, documentId);
  try {
    return await pageWithKey(ctx, documentId, key, options);
  } finally {
    key.wipe();
  }
}

/** Every comment of a document, page after page, oldest first (the document key is fetched once). */
export async function listComments(ctx: ClientContext, documentId: string, pageSize = 100): Promise<CommentEntry[]> {
  const key = await documentKey(ctx, documentId);
  try {
    const all: CommentEntry[] = [];
    let cursor: string | undefined;
    do {
      const page = await pageWithKey(ctx, documentId, key, { limit: pageSize, ...(cursor && { cursor }) });
      all.push(...page.comments);
      cursor = page.cursor;
    } while (cursor);
    return all;
  } finally {
    key.wipe();
  }
}

async function pageWithKey(ctx: ClientContext, documentId: string, key: DocumentKey, options: CommentListOptions): Promise<CommentPage> {
  const page = await ctx.api.get<ListCommentsResponse>(commentsPath(documentId), { query: { limit: options.limit, cursor: options.cursor } });
  const comments = await Promise.all(page.comments.map((c) => decryptComment(key, documentId, c)));
  return page.cursor ? { comments, cursor: page.cursor } : { comments };
}

/** Deletes a comment: your own (while you may comment), or any if you manage the document. */
export async function deleteComment(ctx: ClientContext, documentId: string, commentId: string): Promise<void> {
  await ctx.api.delete<unknown>(`${commentsPath(documentId)}/${encodeURIComponent(commentId)}`);
}

function entryOf(c: CommentResponse): Omit<CommentEntry, 'text'> {
  return {
    commentId: c.commentId,
    documentId: c.documentId,
    authorId: c.authorId,
    createdAt: c.createdAt,
    keyGeneration: c.keyGeneration,
  };
}

async function decryptComment(key: DocumentKey, documentId: string, c: CommentResponse): Promise<CommentEntry> {
  const entry: CommentEntry = { ...entryOf(c), documentId, text: undefined };
  try {
    // Older comments are under older generations: their key comes down the chain.
    // The AAD binds documentId and commentId: a comment moved by the server does not decrypt.
    entry.text = await decryptMetadata(await key.keyAt(c.keyGeneration), documentId, commentField(c.commentId), c.ciphertext);
  } catch (error) {
    entry.textError = error instanceof Error && 'code' in error ? String(error.code) : 'DECRYPTION_FAILED';
  }
  return entry;
}

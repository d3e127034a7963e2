import type { CommentItem } from '../../data/comments.js';
import type { CommentResponse } from '../../../core/api/schemas/comments.js';

/** What a reader sees of a comment: ids, author, time and ciphertext. */
export function commentResponse(c: CommentItem): CommentResponse {
  return {
    commentId: c.commentId,
    documentId: c.nodeId,
    authorId: c.authorId,
    createdAt: c.createdAt,
    keyGeneration: c.keyGeneration,
    ciphertext: c.ciphertext,
  };
}

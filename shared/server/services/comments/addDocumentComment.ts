import { resolveAccess } from '../../access/resolveAccess.js';
import type { Deps } from '../../config/Deps.js';
import { type CommentItem, putComment } from '../../data/comments.js';
import { Conflict, Unprocessable } from '../../../core/errors/index.js';
import type { Caller } from '../../http/Operation.js';
import { type AddCommentBody, commentIdTime, type CommentResponse } from '../../../core/api/schemas/comments.js';
import { commentResponse } from './commentResponse.js';

/** A comment id's time may differ from the server's clock by at most this: ids stay time-sortable. */
export const MAX_COMMENT_CLOCK_SKEW_MS = 5 * 60 * 1000;

/**
 * A comment on a document (commenter and above): ciphertext under the document's current key,
 * which the server never reads. The id's time is checked before any read.
 */
export async function addDocumentComment(deps: Deps, caller: Caller, documentId: string, body: AddCommentBody): Promise<CommentResponse> {
  const now = deps.clock();
  if (Math.abs(commentIdTime(body.commentId) - now) > MAX_COMMENT_CLOCK_SKEW_MS) {
    throw new Unprocessable('BAD_COMMENT_ID', 'The comment id must start with the current time (a ULID): check this device’s clock.');
  }
  const access = await resolveAccess(deps, caller, documentId, { kind: 'document' });
  access.require('comment');
  if (body.keyGeneration !== access.node.keyGeneration) {
    throw new Conflict('DOCUMENT_CHANGED', 'The document changed: reload it and retry.');
  }
  const comment: CommentItem = {
    nodeId: documentId,
    commentId: body.commentId,
    authorId: caller.userId,
    createdAt: new Date(now).toISOString(),
    ciphertext: body.ciphertext,
    keyGeneration: body.keyGeneration,
  };
  // The generation and "still active" are also the write's conditions.
  await putComment(deps.db, comment);
  return commentResponse(comment);
}

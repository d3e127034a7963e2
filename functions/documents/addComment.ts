import { resolveAccess } from '../../shared/server/access/resolveAccess.js';
import { type CommentItem, putComment } from '../../shared/server/data/comments.js';
import { Conflict, Unprocessable } from '../../shared/core/errors/index.js';
import { operation } from '../../shared/server/http/Operation.js';
import { addCommentBody, commentIdTime, type CommentResponse } from '../../shared/core/api/schemas/comments.js';
import { documentIdParams } from '../../shared/core/api/schemas/documents.js';
import { commentResponse } from './listComments.js';

/** A comment id's time may differ from the server's clock by at most this: ids stay time-sortable. */
export const MAX_COMMENT_CLOCK_SKEW_MS = 5 * 60 * 1000;

/** Add a comment (commenter and above): ciphertext under the document key; the server never sees the text. */
export const addComment = operation({
  params: documentIdParams,
  body: addCommentBody,
  async run({ params, body, caller, deps }) {
    const now = deps.clock();
    if (Math.abs(commentIdTime(body.commentId) - now) > MAX_COMMENT_CLOCK_SKEW_MS) {
      throw new Unprocessable('BAD_COMMENT_ID', 'The comment id must start with the current time (a ULID): check this device’s clock.');
    }
    const access = await resolveAccess(deps, caller, params.id, { kind: 'document' });
    access.require('comment');
    if (body.keyGeneration !== access.node.keyGeneration) {
      throw new Conflict('DOCUMENT_CHANGED', 'The document changed: reload it and retry.');
    }
    const comment: CommentItem = {
      nodeId: params.id,
      commentId: body.commentId,
      authorId: caller.userId,
      createdAt: new Date(now).toISOString(),
      ciphertext: body.ciphertext,
      keyGeneration: body.keyGeneration,
    };
    // The generation and "still active" are also the write's conditions.
    await putComment(deps.db, comment);
    const response: CommentResponse = commentResponse(comment);
    return { status: 201, body: response };
  },
});

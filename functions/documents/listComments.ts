import { resolveAccess } from '../../shared/server/access/resolveAccess.js';
import { type CommentItem, listComments as listCommentItems } from '../../shared/server/data/comments.js';
import { ValidationFailed } from '../../shared/core/errors/index.js';
import { operation } from '../../shared/server/http/Operation.js';
import { commentId, type CommentResponse, listCommentsQuery, type ListCommentsResponse } from '../../shared/core/api/schemas/comments.js';
import { documentIdParams } from '../../shared/core/api/schemas/documents.js';

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

/** The cursor is the last comment id of the page, opaque to clients; only a comment id is accepted back. */
function encodeCursor(lastCommentId: string): string {
  return Buffer.from(lastCommentId, 'ascii').toString('base64url');
}

function decodeCursor(cursor: string): string {
  const id = commentId.safeParse(Buffer.from(cursor, 'base64url').toString('ascii'));
  if (!id.success) throw new ValidationFailed('The cursor is not valid: start again without it.');
  return id.data;
}

/** List a document's comments (viewer and above), oldest first, a page at a time. */
export const listComments = operation({
  params: documentIdParams,
  query: listCommentsQuery,
  async run({ params, query, caller, deps }) {
    const after = query.cursor ? decodeCursor(query.cursor) : undefined;
    const access = await resolveAccess(deps, caller, params.id, { kind: 'document' });
    access.require('view');
    const page = await listCommentItems(deps.db, params.id, query.limit, after);
    const body: ListCommentsResponse = {
      comments: page.comments.map(commentResponse),
      ...(page.lastCommentId ? { cursor: encodeCursor(page.lastCommentId) } : {}),
    };
    return { body };
  },
});

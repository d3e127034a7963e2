import { ValidationFailed } from '../../../core/errors/index.js';
import { commentId } from '../../../core/api/schemas/comments.js';

/** The cursor is the last comment id of the page, opaque to clients; only a comment id is accepted back. */
export const commentCursor = {
  encode(lastCommentId: string): string {
    return Buffer.from(lastCommentId, 'ascii').toString('base64url');
  },
  decode(cursor: string): string {
    const id = commentId.safeParse(Buffer.from(cursor, 'base64url').toString('ascii'));
    if (!id.success) throw new ValidationFailed('The cursor is not valid: start again without it.');
    return id.data;
  },
};

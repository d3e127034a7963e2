import { resolveAccess } from '../../shared/server/access/resolveAccess.js';
import { deleteComment as removeComment, getComment } from '../../shared/server/data/comments.js';
import { Forbidden } from '../../shared/core/errors/index.js';
import { operation } from '../../shared/server/http/Operation.js';
import { commentParams } from '../../shared/core/api/schemas/comments.js';

/**
 * Delete a comment: its author while still allowed to comment, or anyone who may
 * manage the document (manager, owner). Others who can see it get 403 NOT_COMMENT_AUTHOR.
 */
export const deleteComment = operation({
  params: commentParams,
  async run({ params, caller, deps }) {
    const access = await resolveAccess(deps, caller, params.id, { kind: 'document' });
    access.require('view');
    const comment = await getComment(deps.db, params.id, params.commentId);
    if (!access.can('manage')) {
      if (comment.authorId !== caller.userId) throw new Forbidden('NOT_COMMENT_AUTHOR', 'Only its author or a manager of the document can delete this comment.');
      access.require('comment');
    }
    await removeComment(deps.db, params.id, params.commentId, comment.authorId);
    return { status: 204 };
  },
});

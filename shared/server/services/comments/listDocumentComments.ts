import type { NodeAccess } from '../../access/resolveAccess.js';
import type { Deps } from '../../config/Deps.js';
import { listComments } from '../../data/comments.js';
import type { ListCommentsResponse } from '../../../core/api/schemas/comments.js';
import { commentCursor } from './commentCursor.js';
import { commentResponse } from './commentResponse.js';

/** One page of a document's comments, oldest first, after the comment id `after`. */
export async function listDocumentComments(deps: Deps, access: NodeAccess, limit: number, after: string | undefined): Promise<ListCommentsResponse> {
  const page = await listComments(deps.db, access.node.nodeId, limit, after);
  return {
    comments: page.comments.map(commentResponse),
    ...(page.lastCommentId ? { cursor: commentCursor.encode(page.lastCommentId) } : {}),
  };
}

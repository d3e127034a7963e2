import { resolveAccess } from '../../shared/server/access/resolveAccess.js';
import { operation } from '../../shared/server/http/Operation.js';
import { listCommentsQuery } from '../../shared/core/api/schemas/comments.js';
import { documentIdParams } from '../../shared/core/api/schemas/documents.js';
import { commentCursor } from '../../shared/server/services/comments/commentCursor.js';
import { listDocumentComments } from '../../shared/server/services/comments/listDocumentComments.js';

/** List a document's comments (viewer and above), oldest first, a page at a time. */
export const listComments = operation({
  params: documentIdParams,
  query: listCommentsQuery,
  async run({ params, query, caller, deps }) {
    // A bad cursor is refused before any read.
    const after = query.cursor ? commentCursor.decode(query.cursor) : undefined;
    const access = await resolveAccess(deps, caller, params.id, { kind: 'document' });
    access.require('view');
    return { body: await listDocumentComments(deps, access, query.limit, after) };
  },
});

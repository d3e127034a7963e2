import { operation } from '../../shared/server/http/Operation.js';
import { addCommentBody } from '../../shared/core/api/schemas/comments.js';
import { documentIdParams } from '../../shared/core/api/schemas/documents.js';
import { addDocumentComment } from '../../shared/server/services/comments/addDocumentComment.js';

/** Add a comment (commenter and above): ciphertext under the document key; the server never sees the text. */
export const addComment = operation({
  params: documentIdParams,
  body: addCommentBody,
  async run({ params, body, caller, deps }) {
    return { status: 201, body: await addDocumentComment(deps, caller, params.id, body) };
  },
});

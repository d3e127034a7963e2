import { lambdaDeps } from '../../shared/config/depsFromEnv.js';
import { areaHandler } from '../../shared/http/areaHandler.js';
import { addComment } from './addComment.js';
import { completeDocument } from './completeDocument.js';
import { createDocument } from './createDocument.js';
import { deleteComment } from './deleteComment.js';
import { deleteDocument } from './deleteDocument.js';
import { getDocument } from './getDocument.js';
import { listComments } from './listComments.js';
import { listDocuments } from './listDocuments.js';

export const operations = {
  createDocument,
  completeDocument,
  listDocuments,
  getDocument,
  deleteDocument,
  addComment,
  listComments,
  deleteComment,
};

export const handler = areaHandler('documents', operations, lambdaDeps);

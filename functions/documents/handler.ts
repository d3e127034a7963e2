import { lambdaDeps } from '../../shared/config/depsFromEnv.js';
import { areaHandler } from '../../shared/http/areaHandler.js';
import { completeDocument } from './completeDocument.js';
import { createDocument } from './createDocument.js';
import { deleteDocument } from './deleteDocument.js';
import { getDocument } from './getDocument.js';
import { listDocuments } from './listDocuments.js';
import { pending } from '../pending.js';

export const operations = {
  createDocument,
  completeDocument,
  listDocuments,
  getDocument,
  deleteDocument,
  addComment: pending,
  listComments: pending,
  deleteComment: pending,
};

export const handler = areaHandler('documents', operations, lambdaDeps);

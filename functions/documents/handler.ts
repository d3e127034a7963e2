import { lambdaDeps } from '../../shared/server/config/depsFromEnv.js';
import { areaHandler } from '../../shared/server/http/areaHandler.js';
import { addComment } from './addComment.js';
import { completeDocument } from './completeDocument.js';
import { completeVersion } from './completeVersion.js';
import { createDocument } from './createDocument.js';
import { createVersion } from './createVersion.js';
import { deleteComment } from './deleteComment.js';
import { deleteDocument } from './deleteDocument.js';
import { getDocument } from './getDocument.js';
import { getVersion } from './getVersion.js';
import { listComments } from './listComments.js';
import { listDocuments } from './listDocuments.js';
import { listVersions } from './listVersions.js';
import { resumeUpload } from './resumeUpload.js';
import { rotateDocumentKey } from './rotateDocumentKey.js';

export const operations = {
  createDocument,
  completeDocument,
  listDocuments,
  getDocument,
  deleteDocument,
  addComment,
  listComments,
  deleteComment,
  createVersion,
  completeVersion,
  resumeUpload,
  listVersions,
  getVersion,
  rotateDocumentKey,
};

export const handler = areaHandler('documents', operations, lambdaDeps);

import { operation } from '../../shared/server/http/Operation.js';
import { createDocumentBody } from '../../shared/core/api/schemas/documents.js';
import { createDocumentNode } from '../../shared/server/services/documents/createDocumentNode.js';

/**
 * Create: a pending document with the owner's and recipients' wrapped DEKs, and
 * where to PUT the ciphertext. The grants go live when the upload completes.
 */
export const createDocument = operation({
  body: createDocumentBody,
  audit: ({ body }) => ({ resource: { kind: 'node', id: body.documentId }, details: { recipients: body.grants.length } }),
  async run({ body, caller, deps }) {
    return { status: 201, body: await createDocumentNode(deps, caller, body) };
  },
});

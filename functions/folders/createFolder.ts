import { operation } from '../../shared/server/http/Operation.js';
import { createFolderBody } from '../../shared/core/api/schemas/folders.js';
import { createFolderNode } from '../../shared/server/services/folders/createFolderNode.js';

/** Create a folder at the root or inside a folder the caller can edit. */
export const createFolder = operation({
  body: createFolderBody,
  audit: ({ body }) => ({ resource: { kind: 'node', id: body.folderId } }),
  async run({ body, caller, deps }) {
    return { status: 201, body: await createFolderNode(deps, caller, body) };
  },
});

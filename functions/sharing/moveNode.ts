import { operation } from '../../shared/server/http/Operation.js';
import { moveNodeBody, treeNodeParams } from '../../shared/core/api/schemas/folders.js';
import { moveNode as move } from '../../shared/server/services/sharing/moveNode.js';

/** Move a document or folder into another folder or to the root; a dry run reports who would gain access. */
export const moveNode = operation({
  params: treeNodeParams,
  body: moveNodeBody,
  audit: ({ body }) => ({ targets: { parentId: body.parentId ?? 'root' }, ...(body.dryRun ? { details: { dryRun: true } } : {}) }),
  async run({ params, body, caller, deps }) {
    return { body: await move(deps, caller, params.id, body) };
  },
});

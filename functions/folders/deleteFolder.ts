import { operation } from '../../shared/server/http/Operation.js';
import { folderIdParams } from '../../shared/core/api/schemas/folders.js';
import { deleteFolderTree } from '../../shared/server/services/folders/deleteFolderTree.js';

/** Delete a folder and its whole subtree (owner only): hidden at once, then purged bottom-up. */
export const deleteFolder = operation({
  params: folderIdParams,
  async run({ params, caller, deps }) {
    return { body: await deleteFolderTree(deps, caller, params.id) };
  },
});

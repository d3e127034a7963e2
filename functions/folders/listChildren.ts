import { operation } from '../../shared/server/http/Operation.js';
import { folderIdParams, listChildrenQuery } from '../../shared/core/api/schemas/folders.js';
import { listFolderChildren } from '../../shared/server/services/folders/folderView.js';

/** One page of a folder's active children, each with its parent wrap and the caller's level. */
export const listChildren = operation({
  params: folderIdParams,
  query: listChildrenQuery,
  async run({ params, query, caller, deps }) {
    return { body: await listFolderChildren(deps, caller, params.id, query) };
  },
});

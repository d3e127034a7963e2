import { operation } from '../../shared/server/http/Operation.js';
import { folderIdParams } from '../../shared/core/api/schemas/folders.js';
import { folderView } from '../../shared/server/services/folders/folderView.js';

/** Get a folder: its encrypted name, the caller's level and the key path that opens its key. */
export const getFolder = operation({
  params: folderIdParams,
  async run({ params, caller, deps }) {
    return { body: await folderView(deps, caller, params.id) };
  },
});

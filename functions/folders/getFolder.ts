import { operation } from '../../shared/http/Operation.js';
import { folderIdParams } from '../../shared/schemas/folders.js';
import { folderView } from '../../shared/services/folderView.js';

/** Get a folder: its encrypted name, the caller's level and the key path that opens its key. */
export const getFolder = operation({
  params: folderIdParams,
  async run({ params, caller, deps }) {
    return { body: await folderView(deps, caller, params.id) };
  },
});

import { operation } from '../../shared/server/http/Operation.js';
import { folderIdParams, limitFolderBody } from '../../shared/core/api/schemas/folders.js';
import { setFolderLimited } from '../../shared/server/services/folders/setFolderLimited.js';

/** Limited access on (new key, no inheritance) or off (inherit again). */
export const limitFolder = operation({
  params: folderIdParams,
  body: limitFolderBody,
  async run({ params, body, caller, deps }) {
    return { body: await setFolderLimited(deps, caller, params.id, body) };
  },
});

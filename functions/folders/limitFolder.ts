import { operation } from '../../shared/http/Operation.js';
import { folderIdParams, limitFolderBody } from '../../shared/schemas/folders.js';
import { setFolderLimited } from '../../shared/services/folderLimit.js';

/** Limited access on (new key, no inheritance) or off (inherit again). */
export const limitFolder = operation({
  params: folderIdParams,
  body: limitFolderBody,
  async run({ params, body, caller, deps }) {
    return { body: await setFolderLimited(deps, caller, params.id, body) };
  },
});

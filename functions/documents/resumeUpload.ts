import { operation } from '../../shared/server/http/Operation.js';
import { versionParams } from '../../shared/core/api/schemas/versions.js';
import { resumeVersionUpload } from '../../shared/server/services/versions/resumeVersionUpload.js';

/** Resume the caller's pending upload: the parts stored so far and fresh URLs for the rest. */
export const resumeUpload = operation({
  params: versionParams,
  async run({ params, caller, deps }) {
    return { body: await resumeVersionUpload(deps, caller, params.id, params.version) };
  },
});

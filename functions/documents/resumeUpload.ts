import { operation } from '../../shared/http/Operation.js';
import { versionParams } from '../../shared/schemas/versions.js';
import { resumeVersionUpload } from '../../shared/services/versions/resumeVersionUpload.js';

/** Resume the caller's pending upload: the parts stored so far and fresh URLs for the rest. */
export const resumeUpload = operation({
  params: versionParams,
  async run({ params, caller, deps }) {
    return { body: await resumeVersionUpload(deps, caller, params.id, params.version) };
  },
});

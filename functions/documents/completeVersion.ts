import { operation } from '../../shared/server/http/Operation.js';
import { completeVersionBody, versionParams } from '../../shared/core/api/schemas/versions.js';
import { finishVersion } from '../../shared/server/services/versions/finishVersion.js';

/** Complete a version's upload: it goes live (and older ones beyond `keepVersions` are pruned). */
export const completeVersion = operation({
  params: versionParams,
  body: completeVersionBody,
  async run({ params, body, caller, deps }) {
    return { body: await finishVersion(deps, caller, params.id, params.version, body) };
  },
});

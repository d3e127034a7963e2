import { operation } from '../../shared/http/Operation.js';
import { completeVersionBody, versionParams } from '../../shared/schemas/versions.js';
import { finishVersion } from '../../shared/services/versions/finishVersion.js';

/** Complete a version's upload: it goes live (and older ones beyond `keepVersions` are pruned). */
export const completeVersion = operation({
  params: versionParams,
  body: completeVersionBody,
  async run({ params, body, caller, deps }) {
    return { body: await finishVersion(deps, caller, params.id, params.version, body) };
  },
});

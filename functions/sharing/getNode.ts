import { resolveAccess } from '../../shared/server/access/resolveAccess.js';
import { operation } from '../../shared/server/http/Operation.js';
import { nodeIdParams } from '../../shared/core/api/schemas/sharing.js';
import { nodeView } from '../../shared/server/services/sharing/nodeView.js';

/** Any node (document or folder): what it is, the caller's level and capabilities, and its key path. No content URL. */
export const getNode = operation({
  params: nodeIdParams,
  async run({ params, caller, deps }) {
    const access = await resolveAccess(deps, caller, params.id);
    return { body: await nodeView(deps, caller, access) };
  },
});

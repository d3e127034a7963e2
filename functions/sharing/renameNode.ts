import { nodeChange } from '../../shared/server/access/authorityGuards.js';
import { resolveAccess } from '../../shared/server/access/resolveAccess.js';
import { renameNode as rename } from '../../shared/server/data/folders.js';
import { operation } from '../../shared/server/http/Operation.js';
import { renameNodeBody, treeNodeParams } from '../../shared/core/api/schemas/folders.js';

/** Rename a document or folder (`edit`): a name encrypted under the node's current key. */
export const renameNode = operation({
  params: treeNodeParams,
  body: renameNodeBody,
  async run({ params, body, caller, deps }) {
    const access = await resolveAccess(deps, caller, params.id);
    access.require('edit');
    const now = deps.clock();
    await rename(deps.db, params.id, { ...body, nowIso: new Date(now).toISOString() }, nodeChange(access, now).guards);
    return { body: { nodeId: params.id, keyGeneration: body.keyGeneration } };
  },
});

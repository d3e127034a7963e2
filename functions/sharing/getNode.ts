import { buildKeyPath } from '../../shared/server/access/keyPath.js';
import { resolveAccess } from '../../shared/server/access/resolveAccess.js';
import { operation } from '../../shared/server/http/Operation.js';
import { capabilitiesOf } from '../../shared/core/permissions/levels.js';
import { nodeIdParams } from '../../shared/core/api/schemas/sharing.js';

/** Any node (document or folder): what it is, the caller's level and capabilities, and its key path. No content URL. */
export const getNode = operation({
  params: nodeIdParams,
  async run({ params, caller, deps }) {
    const access = await resolveAccess(deps, caller, params.id);
    const { node } = access;
    return {
      body: {
        nodeId: node.nodeId,
        kind: node.kind,
        ownerId: node.ownerId,
        role: access.role,
        capabilities: capabilitiesOf(access.role, { kind: caller.kind, editorsCanShare: node.settings?.editorsCanShare ?? true }),
        ...(node.parentId ? { parentId: node.parentId } : {}),
        limited: node.limited === true,
        settings: node.settings,
        encryptedName: node.encryptedName,
        keyGeneration: node.keyGeneration,
        keyPath: await buildKeyPath(deps, access),
        // Every older key under the current one (a document's comments and versions keep their generation).
        keyChain: node.keyChain ?? {},
      },
    };
  },
});

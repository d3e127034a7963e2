import { buildKeyPath } from '../../access/keyPath.js';
import type { NodeAccess } from '../../access/resolveAccess.js';
import type { Deps } from '../../config/Deps.js';
import type { Caller } from '../../http/Operation.js';
import { capabilitiesOf } from '../../../core/permissions/levels.js';

/** Any node (document or folder): what it is, the caller's level and capabilities, and its key path. No content URL. */
export async function nodeView(deps: Deps, caller: Caller, access: NodeAccess) {
  const { node } = access;
  return {
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
  };
}

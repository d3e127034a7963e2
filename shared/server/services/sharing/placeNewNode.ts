import { resolveAccess } from '../../access/resolveAccess.js';
import type { Deps } from '../../config/Deps.js';
import type { Placement } from '../../data/documents.js';
import { MAX_DEPTH } from '../../data/nodes.js';
import { Conflict, Forbidden, Unprocessable, ValidationFailed } from '../../../core/errors/index.js';
import type { Caller } from '../../http/Operation.js';

export interface PlacementInput {
  parentId?: string | undefined;
  parentWrap?: string | undefined;
  parentKeyGeneration?: number | undefined;
}

/**
 * Where a new node goes. In a folder: the caller must be able to edit it, and the node's key
 * must be wrapped under the folder's current key. At the root: members only (guests create
 * only inside what was shared with them).
 */
export async function placeNewNode(deps: Deps, caller: Caller, input: PlacementInput): Promise<Placement | undefined> {
  if (!input.parentId) {
    if (input.parentWrap || input.parentKeyGeneration !== undefined) throw new ValidationFailed('parentWrap needs a parentId.');
    if (caller.kind === 'guest') throw new Forbidden('GUEST_FORBIDDEN', 'Guests can only create inside a folder shared with them.');
    return undefined;
  }
  if (!input.parentWrap || input.parentKeyGeneration === undefined) {
    throw new ValidationFailed('In a folder, send parentWrap and parentKeyGeneration: the key wrapped under the folder key.');
  }
  const parent = await resolveAccess(deps, caller, input.parentId, { kind: 'folder' });
  parent.require('edit');
  if (input.parentKeyGeneration !== parent.node.keyGeneration) {
    throw new Conflict('PARENT_KEY_CHANGED', "The folder's key changed: fetch it again and re-wrap.");
  }
  // The verified chain, not the stored path: a move may be propagating.
  const path = [parent.node.nodeId, ...parent.ancestors.map((a) => a.nodeId)];
  if (path.length > MAX_DEPTH) throw new Unprocessable('TOO_DEEP', `Folders nest at most ${MAX_DEPTH} levels deep.`);
  return { parentId: parent.node.nodeId, parentRev: parent.node.rev, path };
}

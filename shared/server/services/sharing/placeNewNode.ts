import { type NodeAccess, resolveAccess } from '../../access/resolveAccess.js';
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

/** What a refused placement says: a document and a folder word it for their own request bodies. */
export interface PlacementWording {
  wrapWithoutParent: string;
  parentWithoutWrap: string;
}

const DOCUMENT_WORDING: PlacementWording = {
  wrapWithoutParent: 'parentWrap needs a parentId.',
  parentWithoutWrap: 'In a folder, send parentWrap and parentKeyGeneration: the key wrapped under the folder key.',
};

/**
 * Where a new node goes: undefined at the root, else the folder as the caller's check read it
 * and the verified path. In a folder: the caller must be able to edit it, and the node's key
 * must be wrapped under the folder's current key. At the root: members only (guests create
 * only inside what was shared with them).
 */
export async function resolveNewNodeParent(
  deps: Deps,
  caller: Caller,
  input: PlacementInput,
  wording: PlacementWording,
): Promise<{ parent: NodeAccess; path: string[] } | undefined> {
  if (!input.parentId) {
    if (input.parentWrap || input.parentKeyGeneration !== undefined) throw new ValidationFailed(wording.wrapWithoutParent);
    if (caller.kind === 'guest') throw new Forbidden('GUEST_FORBIDDEN', 'Guests can only create inside a folder shared with them.');
    return undefined;
  }
  if (!input.parentWrap || input.parentKeyGeneration === undefined) throw new ValidationFailed(wording.parentWithoutWrap);
  const parent = await resolveAccess(deps, caller, input.parentId, { kind: 'folder' });
  parent.require('edit');
  if (input.parentKeyGeneration !== parent.node.keyGeneration) {
    throw new Conflict('PARENT_KEY_CHANGED', "The folder's key changed: fetch it again and re-wrap.");
  }
  // The verified chain, not the stored path: a move may be propagating.
  const path = [parent.node.nodeId, ...parent.ancestors.map((a) => a.nodeId)];
  if (path.length > MAX_DEPTH) throw new Unprocessable('TOO_DEEP', `Folders nest at most ${MAX_DEPTH} levels deep.`);
  return { parent, path };
}

/** Where a new document goes (resolveNewNodeParent), as the document's writes take it. */
export async function placeNewNode(deps: Deps, caller: Caller, input: PlacementInput): Promise<Placement | undefined> {
  const placed = await resolveNewNodeParent(deps, caller, input, DOCUMENT_WORDING);
  return placed && { parentId: placed.parent.node.nodeId, parentRev: placed.parent.node.rev, path: placed.path };
}

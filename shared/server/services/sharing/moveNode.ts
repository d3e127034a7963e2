import { nodeChange } from '../../access/authorityGuards.js';
import { effectiveEntries, type NodeAccess, resolveAccess, scopeOf } from '../../access/resolveAccess.js';
import type { Deps } from '../../config/Deps.js';
import { getGroupMetas } from '../../data/groups.js';
import { principal } from '../../data/keys.js';
import { MAX_DEPTH, type NodeMeta } from '../../data/nodes.js';
import { moveNodeTransaction, propagatePaths, subtreeHeight } from '../../data/tree.js';
import { Conflict, Forbidden, Unprocessable, ValidationFailed } from '../../../core/errors/index.js';
import type { Caller } from '../../http/Operation.js';
import type { GainedAccess, MoveNodeBody, MoveNodeResponse } from '../../../core/api/schemas/folders.js';

/** A move that passed every check: what step 1 writes, and who gains access. */
interface MovePlan {
  access: NodeAccess;
  destination?: NodeAccess;
  path: string[];
  gainedAccess: GainedAccess;
}

/**
 * Move a node (docs/permissions.md, "Moves"): `edit` on the node and on the destination; to the
 * root only its owner, never a guest. The destination must be an active folder outside the
 * node's subtree, and the deepest node of the moved subtree must stay within MAX_DEPTH.
 * A dry run checks all of it and reports who gains access, writing nothing.
 */
export async function moveNode(deps: Deps, caller: Caller, nodeId: string, body: MoveNodeBody): Promise<MoveNodeResponse> {
  const plan = await planMove(deps, caller, nodeId, body.parentId);
  const response: MoveNodeResponse = { nodeId, parentId: body.parentId, dryRun: body.dryRun === true, gainedAccess: plan.gainedAccess };
  if (body.dryRun) return response;

  const { node } = plan.access;
  const parentWrap = wrapFor(node, plan.destination?.node, body);
  const guards = nodeChange(plan.access, deps.clock()).guards;
  if (plan.destination) guards.push(...nodeChange(plan.destination, deps.clock()).guards);
  await moveNodeTransaction(deps.db, {
    node,
    ...(plan.destination ? { destination: plan.destination.node } : {}),
    destinationAncestors: plan.destination?.ancestors ?? [],
    path: plan.path,
    ...(parentWrap ? { parentWrap } : {}),
    guards,
    nowIso: new Date(deps.clock()).toISOString(),
  });
  // Step 2. Until it ends, checks below the node see the inconsistency and follow the fresher path.
  if (node.kind === 'folder') await propagatePaths(deps.db, node.nodeId, plan.path);
  return response;
}

async function planMove(deps: Deps, caller: Caller, nodeId: string, parentId: string | null): Promise<MovePlan> {
  const [nodeResult, destResult] = await Promise.allSettled([
    resolveAccess(deps, caller, nodeId),
    parentId ? resolveAccess(deps, caller, parentId) : Promise.resolve(undefined),
  ]);
  if (nodeResult.status === 'rejected') throw nodeResult.reason;
  const access = nodeResult.value;
  access.require('edit');
  const { node } = access;

  if (parentId === null) {
    if (caller.kind === 'guest') throw new Forbidden('GUEST_FORBIDDEN', 'Guests cannot move anything to the top level.');
    if (node.ownerId !== caller.userId) throw new Forbidden('NOT_OWNER', 'Only the owner can move this to the top level.');
    if (!node.parentId) throw new Unprocessable('SAME_PARENT', 'It is already at the top level.');
    return { access, path: [], gainedAccess: { principals: [], people: 0 } };
  }

  if (destResult.status === 'rejected') throw destResult.reason;
  const destination = destResult.value!;
  if (destination.node.kind !== 'folder') throw new Unprocessable('NOT_A_FOLDER', 'The destination is not a folder.');
  destination.require('edit');
  if (parentId === nodeId || destination.ancestors.some((a) => a.nodeId === nodeId)) {
    throw new Unprocessable('MOVE_CYCLE', 'A folder cannot move into itself or into a folder inside it.');
  }
  if (parentId === node.parentId) throw new Unprocessable('SAME_PARENT', 'It is already in this folder.');
  const path = [destination.node.nodeId, ...destination.ancestors.map((a) => a.nodeId)];
  const room = MAX_DEPTH - path.length;
  const height = node.kind === 'folder' && room >= 0 ? await subtreeHeight(deps.db, nodeId, room + 1) : 0;
  if (height > room) throw new Unprocessable('TOO_DEEP', `Folders nest at most ${MAX_DEPTH} levels deep: this move would go deeper.`);

  const newScope = scopeOf(node, [destination.node, ...destination.ancestors]);
  return { access, destination, path, gainedAccess: await gained(deps, access.scope, newScope) };
}

/** The parent wrap the move writes: required into a folder, except for a limited node, which inherits no key. */
function wrapFor(node: NodeMeta, destination: NodeMeta | undefined, body: MoveNodeBody) {
  const sent = body.parentWrap !== undefined || body.parentKeyGeneration !== undefined;
  if (!destination || node.limited) {
    if (sent) throw new ValidationFailed(destination ? 'A limited-access folder keeps no parent wrap: omit parentWrap.' : 'At the top level there is no parent wrap: omit parentWrap.');
    return undefined;
  }
  if (!body.parentWrap || body.parentKeyGeneration === undefined) {
    throw new ValidationFailed("Send parentWrap and parentKeyGeneration: the node's key wrapped under the destination folder's key.");
  }
  if (body.parentKeyGeneration !== destination.keyGeneration) {
    throw new Conflict('PARENT_KEY_CHANGED', "The destination folder's key changed: fetch it again and re-wrap.");
  }
  return { wrappedKey: body.parentWrap, parentKeyGeneration: body.parentKeyGeneration };
}

/**
 * Who gains access: principals with a live level over the new scope that had none over the old
 * one, and how many people that is (each user, plus each gained group's member count).
 */
async function gained(deps: Deps, oldScope: NodeMeta[], newScope: NodeMeta[]): Promise<GainedAccess> {
  const now = deps.clock();
  const before = new Set(effectiveEntries(oldScope, now).map((e) => e.principalId));
  const principals = effectiveEntries(newScope, now)
    .map((e) => e.principalId)
    .filter((p) => !before.has(p))
    .sort();
  const groupIds = principals.flatMap((p) => principal.groupIdOf(p) ?? []);
  const groups = groupIds.length > 0 ? await getGroupMetas(deps.db, groupIds) : new Map();
  const people =
    principals.filter((p) => principal.userIdOf(p) !== undefined).length +
    groupIds.reduce((n, id) => n + (groups.get(id)?.memberCount ?? 0), 0);
  return { principals, people };
}

import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { batchDeleteAll, queryAll } from './batchOperations.js';
import type { Database } from './Database.js';
import { concurrentUpdate, guardChecks, type Guard, itemId } from './guards.js';
import { dynamo } from './dynamoErrors.js';
import { conditionCheck, deleteItem, exists, isNew, putItem, updateItem } from './itemBuilders.js';
import { keys, prefixes } from './keys.js';
import { activeAtRev, MAX_DEPTH, type NodeKind, type NodeMeta } from './nodes.js';
import { transact } from './transact.js';
import type { GuardedItem } from './transactItem.js';
import { increment } from './updateExpression.js';
import { sendIfHolds } from './sendGuarded.js';

/**
 * The folder tree (docs/permissions.md, "DynamoDB items" and "Moves"): child pointers,
 * moves, path propagation, and the reads a recursive delete walks.
 */

/** `NODE#<parentId>` / `CHILD#<childId>`: a folder's pointer to an active child. */
export interface ChildPointer {
  nodeId: string;
  parentId: string;
  kind: NodeKind;
  addedAt: string;
}

/** The pointer item a folder listing reads; written in the same transaction that makes the child active there. */
export function childPointerItem(parentId: string, childId: string, kind: NodeKind, nowIso: string) {
  const pointer: ChildPointer = { nodeId: childId, parentId, kind, addedAt: nowIso };
  return { ...keys.child(parentId, childId), type: 'child', ...pointer };
}

/** Folder listing: one page of a folder's child pointers (consistent, in id order). */
export async function listChildPointers(
  db: Database,
  parentId: string,
  limit: number,
  startKey?: Record<string, unknown>,
): Promise<{ pointers: ChildPointer[]; lastKey?: Record<string, unknown> }> {
  const out = await dynamo(() =>
    db.doc.send(
      new QueryCommand({
        TableName: db.table,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :child)',
        ExpressionAttributeValues: { ':pk': keys.nodePartition(parentId), ':child': prefixes.child },
        ConsistentRead: true,
        Limit: limit,
        ExclusiveStartKey: startKey,
      }),
    ),
  );
  const page: { pointers: ChildPointer[]; lastKey?: Record<string, unknown> } = { pointers: (out.Items ?? []) as ChildPointer[] };
  if (out.LastEvaluatedKey) page.lastKey = out.LastEvaluatedKey;
  return page;
}

/** Every child pointer of a folder (consistent): moves, propagation and deletes walk these. */
export async function allChildPointers(db: Database, parentId: string): Promise<ChildPointer[]> {
  return (await queryAll(db, {
    KeyConditionExpression: 'pk = :pk AND begins_with(sk, :child)',
    ExpressionAttributeValues: { ':pk': keys.nodePartition(parentId), ':child': prefixes.child },
    ConsistentRead: true,
  })) as unknown as ChildPointer[];
}

/**
 * How many folder levels hang below `folderId` (0: no children; 1: only direct children),
 * read level by level with consistent child-pointer queries. Stops counting past `cap`:
 * the caller only needs to know whether the subtree fits.
 */
export async function subtreeHeight(db: Database, folderId: string, cap = MAX_DEPTH + 1): Promise<number> {
  let height = 0;
  let level = [folderId];
  while (level.length > 0 && height <= cap) {
    const pointers = (await Promise.all(level.map((id) => allChildPointers(db, id)))).flat();
    if (pointers.length === 0) break;
    height++;
    level = pointers.filter((p) => p.kind === 'folder').map((p) => p.nodeId);
  }
  return height;
}

export interface MoveWrite {
  node: NodeMeta;
  /** The destination folder, or undefined for the root. */
  destination?: NodeMeta;
  /** The destination's verified ancestors, parent first. */
  destinationAncestors: NodeMeta[];
  /** The node's new path: [destination, ...its ancestors]; [] at the root. */
  path: string[];
  parentWrap?: { wrappedKey: string; parentKeyGeneration: number };
  /** What carried the caller's authority on the node and on the destination (authorityGuards.ts). */
  guards: Guard[];
  nowIso: string;
}

/**
 * Move, step 1 (one transaction): the node's META (new parent, path, parent wrap; guard: the
 * rev read), the old pointer deleted, the new one put, and the destination and each of its
 * ancestors checked at the rev read, with the caller's authority guards. Every parent change
 * bumps rev, so the destination's chain at commit is the chain the cycle test saw: two
 * concurrent moves that would close a cycle cannot both commit.
 */
export async function moveNodeTransaction(db: Database, move: MoveWrite): Promise<void> {
  const { node, destination, nowIso } = move;
  const taken = new Set([itemId(keys.nodeMeta(node.nodeId))]);
  const items: GuardedItem[] = [
    updateItem<NodeMeta>(
      db,
      keys.nodeMeta(node.nodeId),
      {
        set: {
          path: move.path,
          rev: increment(1),
          updatedAt: nowIso,
          parentId: destination?.nodeId,
          parentWrap: move.parentWrap?.wrappedKey,
          parentKeyGeneration: move.parentWrap?.parentKeyGeneration,
        },
        remove: [...(destination ? [] : ['parentId' as const]), ...(move.parentWrap ? [] : ['parentWrap' as const, 'parentKeyGeneration' as const])],
      },
      { condition: activeAtRev(node.rev) },
    ),
  ];
  if (node.parentId) items.push(deleteItem(db, keys.child(node.parentId, node.nodeId), { condition: exists }));
  if (destination) {
    taken.add(itemId(keys.nodeMeta(destination.nodeId)));
    items.push(
      putItem(db, childPointerItem(destination.nodeId, node.nodeId, node.kind, nowIso), { condition: isNew }),
      conditionCheck(db, keys.nodeMeta(destination.nodeId), { condition: activeAtRev(destination.rev) }),
    );
  }
  const chain = move.destinationAncestors.map((a) => ({ key: keys.nodeMeta(a.nodeId), rev: a.rev }));
  items.push(...guardChecks(db, [...chain, ...move.guards], taken));
  await transact(db, items, { otherwise: concurrentUpdate });
}

/** Descendant paths rewritten by one propagation. */
export interface PropagationResult {
  updated: number;
  /** Children that had moved elsewhere meanwhile (their own move rewrites their subtree). */
  skipped: number;
}

const PROPAGATION_CONCURRENCY = 16;

/**
 * Move, step 2: rewrite the path of every descendant of `folderId`, top down (a child after its
 * parent, so a check that meets a stale path always finds a fresher one above it). Each update
 * is conditioned on the child still having the parent it was reached through, and bumps `rev`
 * so a write that read the old path (a create in a folder below) cannot commit on top of it.
 * Idempotent: running it again writes the same paths.
 */
export async function propagatePaths(db: Database, folderId: string, path: string[]): Promise<PropagationResult> {
  const result: PropagationResult = { updated: 0, skipped: 0 };
  let level: { id: string; path: string[] }[] = [{ id: folderId, path }];
  while (level.length > 0) {
    const next: { id: string; path: string[] }[] = [];
    for (const folder of level) {
      const childPath = [folder.id, ...folder.path];
      const pointers = await allChildPointers(db, folder.id);
      for (let i = 0; i < pointers.length; i += PROPAGATION_CONCURRENCY) {
        await Promise.all(
          pointers.slice(i, i + PROPAGATION_CONCURRENCY).map(async (p) => {
            if (await setPath(db, p.nodeId, folder.id, childPath)) {
              result.updated++;
              if (p.kind === 'folder') next.push({ id: p.nodeId, path: childPath });
            } else result.skipped++;
          }),
        );
      }
    }
    level = next;
  }
  return result;
}

/** One descendant's path; false when it no longer sits under `parentId` (or is gone). */
async function setPath(db: Database, nodeId: string, parentId: string, path: string[]): Promise<boolean> {
  return sendIfHolds(
    db,
    updateItem<NodeMeta>(db, keys.nodeMeta(nodeId), { set: { path, rev: increment(1) } }, { condition: { expression: 'parentId = :parent', values: { ':parent': parentId } } }),
  );
}

/** Recursive delete: remove one child pointer (idempotent). */
export async function deleteChildPointer(db: Database, parentId: string, childId: string): Promise<void> {
  await batchDeleteAll(db, [keys.child(parentId, childId)]);
}

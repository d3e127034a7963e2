import type { Database } from './Database.js';
import { type DocumentMeta, grantItem } from './documents.js';
import { type CheckItem, deleteItem, exists, putItem, updateItem } from './itemBuilders.js';
import { transact } from './transact.js';
import type { ConditionFailHandler, GuardedItem } from './transactItem.js';
import { increment, type UpdateSpec } from './updateExpression.js';
import { keys } from './keys.js';
import type { AclEntry, GrantItem, NodeMeta } from './nodes.js';
import { concurrentUpdate, type Guard, guardChecks, itemId } from './guards.js';

/** One re-wrapped direct grant of a node getting a new key generation. */
export interface Rewrap {
  principalId: string;
  wrappedKey: string;
  principalKeyGeneration?: number;
}

/** A new key generation of a node (a folder limited, a document key rotated). */
export interface KeyRotation {
  /** The node as read: its rev and generation are the transaction's guards. */
  node: Pick<NodeMeta, 'nodeId' | 'rev' | 'keyGeneration' | 'keyChain'>;
  newGeneration: number;
  /** The old key under the new one. */
  chainWrap: string;
  /** The name under the new key. */
  encryptedName: string;
  /** Every live direct grant, re-wrapped for the new key. */
  rewraps: Rewrap[];
  /** A new direct grant (a folder's limiter that had none). */
  added?: GrantItem;
  /** Expired ACL entries: removed with their grants, so the new key never reaches them. */
  expired: string[];
  /** What carried the caller's authority (authorityGuards.ts). */
  guards: readonly Guard[];
  nowIso: string;
  /** The kind's own changes of the META, in the same update. */
  meta?: Pick<UpdateSpec<DocumentMeta>, 'set' | 'remove'>;
  /** What the META's guard failing means, given the META as it is now (else 409 CONCURRENT_UPDATE). */
  onStale?: ConditionFailHandler;
  /** Condition checks of other items (a document's folder), in the same transaction, each with its own error. */
  checks?: CheckItem[];
}

/**
 * A new key generation in one transaction: the META moves to `newGeneration` (the old key chained
 * under it, the name encrypted again, `rev + 1`, the kind's own changes), every direct grant is
 * re-wrapped, expired ones are deleted, and the caller's authority guards hold.
 * Guard: the node is active at the rev and generation read. A failed condition is the error its
 * item declared (`onStale`, the checks' own), else 409 CONCURRENT_UPDATE.
 */
export async function writeKeyRotation(db: Database, rotation: KeyRotation): Promise<void> {
  const { node, nowIso } = rotation;
  const metaKey = keys.nodeMeta(node.nodeId);
  const checks = rotation.checks ?? [];
  const taken = new Set([itemId(metaKey), ...checks.map((c) => itemId(c.ConditionCheck.Key))]);
  const added: Record<string, AclEntry> = rotation.added ? { [rotation.added.principalId]: { role: rotation.added.role } } : {};
  const items: GuardedItem[] = [
    updateItem<DocumentMeta>(
      db,
      metaKey,
      {
        set: {
          keyGeneration: rotation.newGeneration,
          keyChain: { ...(node.keyChain ?? {}), [String(node.keyGeneration)]: rotation.chainWrap },
          encryptedName: rotation.encryptedName,
          rev: increment(1),
          updatedAt: nowIso,
          ...rotation.meta?.set,
        },
        setEntries: { acl: added },
        remove: rotation.meta?.remove ?? [],
        removeEntries: { acl: rotation.expired },
      },
      {
        condition: {
          expression: '#state = :active AND rev = :rev AND keyGeneration = :old',
          names: { '#state': 'state' },
          values: { ':active': 'active', ':rev': node.rev, ':old': node.keyGeneration },
        },
        returnOld: true,
        ...(rotation.onStale ? { onConditionFail: rotation.onStale } : {}),
      },
    ),
    ...rotation.rewraps.map((r) =>
      updateItem<GrantItem>(
        db,
        keys.grant(node.nodeId, r.principalId),
        { set: { wrappedKey: r.wrappedKey, keyGeneration: rotation.newGeneration, principalKeyGeneration: r.principalKeyGeneration } },
        { condition: exists },
      ),
    ),
    ...(rotation.added ? [putItem(db, grantItem(rotation.added))] : []),
    ...rotation.expired.map((p) => deleteItem(db, keys.grant(node.nodeId, p))),
    ...checks,
    ...guardChecks(db, rotation.guards, taken),
  ];
  await transact(db, items, { otherwise: concurrentUpdate });
}

import type { Database } from './Database.js';
import { grantItem } from './documents.js';
import { type CancellationReason, cancellationReasons, dynamo } from './dynamoErrors.js';
import type { TransactItem } from './transactItem.js';
import { keys } from './keys.js';
import type { AclEntry, GrantItem, NodeMeta } from './nodes.js';
import { concurrentUpdate, type Guard, guardChecks, itemId } from './guards.js';
import { transactWrite } from './transactWrite.js';

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
  /** The kind's own changes of the META, in the same update (names `#x…` and `:x…` are reserved). */
  meta?: { set?: string[]; remove?: string[]; names?: Record<string, string>; values?: Record<string, unknown> };
  /** Condition checks of other items (a document's folder), in the same transaction. */
  checks?: TransactItem[];
}

/**
 * A new key generation in one transaction: the META moves to `newGeneration` (the old key chained
 * under it, the name encrypted again, `rev + 1`, the kind's own changes), every direct grant is
 * re-wrapped, expired ones are deleted, and the caller's authority guards hold.
 * Guard: the node is active at the rev and generation read. A failed condition is passed to
 * `explain` (the META's current values are in reason 0's item), else 409 CONCURRENT_UPDATE.
 */
export async function writeKeyRotation(db: Database, rotation: KeyRotation, explain?: (reasons: CancellationReason[]) => Error | undefined): Promise<void> {
  const { node, nowIso } = rotation;
  const names: Record<string, string> = { '#state': 'state', ...rotation.meta?.names };
  const values: Record<string, unknown> = {
    ':gen': rotation.newGeneration,
    ':old': node.keyGeneration,
    ':chain': { ...(node.keyChain ?? {}), [String(node.keyGeneration)]: rotation.chainWrap },
    ':name': rotation.encryptedName,
    ':rev': node.rev,
    ':one': 1,
    ':now': nowIso,
    ':active': 'active',
    ...rotation.meta?.values,
  };
  const set = ['keyGeneration = :gen', 'keyChain = :chain', 'encryptedName = :name', 'rev = rev + :one', 'updatedAt = :now', ...(rotation.meta?.set ?? [])];
  const remove = [...(rotation.meta?.remove ?? [])];
  if (rotation.added) {
    names['#added'] = rotation.added.principalId;
    values[':entry'] = { role: rotation.added.role } satisfies AclEntry;
    set.push('acl.#added = :entry');
  }
  rotation.expired.forEach((p, i) => {
    names[`#x${i}`] = p;
    remove.push(`acl.#x${i}`);
  });
  const metaKey = keys.nodeMeta(node.nodeId);
  const taken = new Set([itemId(metaKey), ...(rotation.checks ?? []).flatMap((c) => (c.ConditionCheck?.Key ? [itemId(c.ConditionCheck.Key as never)] : []))]);
  const items: TransactItem[] = [
    {
      Update: {
        TableName: db.table,
        Key: metaKey,
        UpdateExpression: `SET ${set.join(', ')}${remove.length ? ` REMOVE ${remove.join(', ')}` : ''}`,
        ConditionExpression: '#state = :active AND rev = :rev AND keyGeneration = :old',
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      },
    },
    ...rotation.rewraps.map((r) => ({
      Update: {
        TableName: db.table,
        Key: keys.grant(node.nodeId, r.principalId),
        UpdateExpression:
          r.principalKeyGeneration === undefined
            ? 'SET wrappedKey = :key, keyGeneration = :gen'
            : 'SET wrappedKey = :key, keyGeneration = :gen, principalKeyGeneration = :pgen',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeValues: {
          ':key': r.wrappedKey,
          ':gen': rotation.newGeneration,
          ...(r.principalKeyGeneration === undefined ? {} : { ':pgen': r.principalKeyGeneration }),
        },
      },
    })),
    ...(rotation.added ? [{ Put: { TableName: db.table, Item: grantItem(rotation.added) } }] : []),
    ...rotation.expired.map((p) => ({ Delete: { TableName: db.table, Key: keys.grant(node.nodeId, p) } })),
    ...(rotation.checks ?? []),
    ...(guardChecks(db, rotation.guards, taken) as TransactItem[]),
  ];
  await dynamo(
    () => transactWrite(db, items),
    (error) => {
      const reasons = cancellationReasons(error);
      if (!reasons) return;
      throw explain?.(reasons) ?? concurrentUpdate();
    },
  );
}

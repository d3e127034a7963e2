import type { Database } from './Database.js';
import { grantItem } from './documents.js';
import { cancellationReasons, dynamo } from './dynamoErrors.js';
import { indexKeys, keys } from './keys.js';
import type { AclEntry, GrantItem, NodeMeta, NodeSettings } from './nodes.js';
import { concurrentUpdate, type Guard, guardChecks, itemId } from './guards.js';
import { transactWrite } from './transactWrite.js';
import type { TransactItem } from './transactItem.js';

/**
 * Registry changes of one node. Each is one transaction over the node's META (whose `acl` mirrors
 * the GRANT# items) and the grant items, conditioned on the `rev` the caller's check read, plus
 * the guards that carried the caller's authority (an ancestor's rev, the caller's principal set).
 * A concurrent change fails the condition: 409 CONCURRENT_UPDATE, nothing written.
 */
export interface NodeChange {
  node: Pick<NodeMeta, 'nodeId' | 'rev'>;
  guards: Guard[];
}

function aclEntry(role: AclEntry['role'], expiresAt?: string): AclEntry {
  return expiresAt ? { role, expiresAt } : { role };
}

async function commit(db: Database, change: NodeChange, update: { set: string[]; remove: string[]; names: Record<string, string>; values: Record<string, unknown> }, rest: TransactItem[], nowIso: string, extraCondition?: string): Promise<void> {
  const set = [...update.set, 'rev = rev + :one', 'updatedAt = :now'];
  const items: TransactItem[] = [
    {
      Update: {
        TableName: db.table,
        Key: keys.nodeMeta(change.node.nodeId),
        UpdateExpression: `SET ${set.join(', ')}${update.remove.length ? ` REMOVE ${update.remove.join(', ')}` : ''}`,
        ConditionExpression: `#state = :active AND rev = :rev${extraCondition ? ` AND ${extraCondition}` : ''}`,
        ExpressionAttributeNames: { '#state': 'state', ...update.names },
        ExpressionAttributeValues: { ':active': 'active', ':rev': change.node.rev, ':one': 1, ':now': nowIso, ...update.values },
      },
    },
    ...rest,
    ...guardChecks(db, change.guards, new Set([itemId(keys.nodeMeta(change.node.nodeId))])),
  ];
  await dynamo(
    () => transactWrite(db, items),
    (error) => {
      if (cancellationReasons(error)) throw concurrentUpdate();
    },
  );
}

/** Share: new ACL entries and their grant items. */
export async function addGrants(db: Database, change: NodeChange, keyGeneration: number, grants: GrantItem[], nowIso: string): Promise<void> {
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = { ':gen': keyGeneration };
  const set = grants.map((g, i) => {
    names[`#p${i}`] = g.principalId;
    values[`:e${i}`] = aclEntry(g.role, g.grantExpiresAt);
    return `acl.#p${i} = :e${i}`;
  });
  const puts = grants.map((g) => ({
    Put: { TableName: db.table, Item: grantItem(g), ConditionExpression: 'attribute_not_exists(pk)' },
  }));
  await commit(db, change, { set, remove: [], names, values }, puts, nowIso, 'keyGeneration = :gen');
}

/**
 * Revoke: ACL entries and grant items go together. On a document (`rotationDue`), the same write
 * marks its key for rotation: new versions are refused until a manager rotates (docs/versions.md).
 */
export async function removeGrants(db: Database, change: NodeChange, principalIds: string[], nowIso: string, options: { rotationDue?: boolean } = {}): Promise<void> {
  const names: Record<string, string> = {};
  const remove = principalIds.map((p, i) => {
    names[`#p${i}`] = p;
    return `acl.#p${i}`;
  });
  const deletes = principalIds.map((p) => ({
    Delete: { TableName: db.table, Key: keys.grant(change.node.nodeId, p), ConditionExpression: 'attribute_exists(pk)' },
  }));
  const set = options.rotationDue ? ['rotationDue = :due'] : [];
  await commit(db, change, { set, remove, names, values: options.rotationDue ? { ':due': true } : {} }, deletes, nowIso);
}

/** A new level (and expiry) for one principal: a registry update, no re-encryption. */
export async function changeGrant(db: Database, change: NodeChange, principalId: string, entry: AclEntry, nowIso: string): Promise<void> {
  const key = keys.grant(change.node.nodeId, principalId);
  const expiry = entry.expiresAt ? indexKeys.byExpiry(entry.expiresAt, key.pk, key.sk) : undefined;
  const grantUpdate: TransactItem = {
    Update: {
      TableName: db.table,
      Key: key,
      UpdateExpression: expiry
        ? 'SET #role = :role, grantExpiresAt = :exp, gsi2pk = :g2pk, gsi2sk = :g2sk'
        : 'SET #role = :role REMOVE grantExpiresAt, gsi2pk, gsi2sk',
      ConditionExpression: 'attribute_exists(pk)',
      ExpressionAttributeNames: { '#role': 'role' },
      ExpressionAttributeValues: {
        ':role': entry.role,
        ...(expiry ? { ':exp': entry.expiresAt, ':g2pk': expiry.gsi2pk, ':g2sk': expiry.gsi2sk } : {}),
      },
    },
  };
  await commit(db, change, { set: ['acl.#p = :e'], remove: [], names: { '#p': principalId }, values: { ':e': aclEntry(entry.role, entry.expiresAt) } }, [grantUpdate], nowIso);
}

/** Ownership moves to a principal that already holds a direct grant; the old owner becomes manager. */
export async function transferOwnership(db: Database, change: NodeChange, from: string, to: string, nowIso: string): Promise<void> {
  const role = (principalId: string, value: string): TransactItem => ({
    Update: {
      TableName: db.table,
      Key: keys.grant(change.node.nodeId, principalId),
      UpdateExpression: 'SET #role = :role REMOVE grantExpiresAt, gsi2pk, gsi2sk',
      ConditionExpression: 'attribute_exists(pk)',
      ExpressionAttributeNames: { '#role': 'role' },
      ExpressionAttributeValues: { ':role': value },
    },
  });
  await commit(
    db,
    change,
    {
      set: ['ownerId = :owner', 'acl.#to = :ownerEntry', 'acl.#from = :managerEntry'],
      remove: [],
      names: { '#to': `u:${to}`, '#from': `u:${from}` },
      values: { ':owner': to, ':ownerEntry': { role: 'owner' }, ':managerEntry': { role: 'manager' }, ':from': from },
    },
    [role(`u:${to}`, 'owner'), role(`u:${from}`, 'manager')],
    nowIso,
    'ownerId = :from',
  );
}

export async function changeSettings(db: Database, change: NodeChange, settings: NodeSettings, nowIso: string): Promise<void> {
  await commit(db, change, { set: ['settings = :settings'], remove: [], names: {}, values: { ':settings': settings } }, [], nowIso);
}

import type { Database } from './Database.js';
import type { Role } from '../../core/permissions/levels.js';
import { type DocumentMeta, grantItem } from './documents.js';
import { type Condition, deleteItem, exists, isNew, putItem, updateItem } from './itemBuilders.js';
import { indexKeys, keys } from './keys.js';
import { type AclEntry, activeAtRev, type GrantItem, type NodeMeta, type NodeSettings } from './nodes.js';
import { concurrentUpdate, type Guard, guardChecks, itemId } from './guards.js';
import { transact } from './transact.js';
import type { GuardedItem } from './transactItem.js';
import { increment, type UpdateSpec } from './updateExpression.js';

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

/**
 * The META's change (`rev + 1`, `updatedAt`, and the change's own), the other items, and the
 * caller's guards, in one transaction. Guard: the node is active at the rev read (and `extra`).
 */
async function commit(db: Database, change: NodeChange, update: UpdateSpec<DocumentMeta>, rest: GuardedItem[], nowIso: string, extra?: Condition): Promise<void> {
  const guard = activeAtRev(change.node.rev);
  const condition: Condition = extra
    ? { expression: `${guard.expression} AND ${extra.expression}`, names: guard.names, values: { ...guard.values, ...extra.values } }
    : guard;
  await transact(
    db,
    [
      updateItem<DocumentMeta>(db, keys.nodeMeta(change.node.nodeId), { ...update, set: { ...update.set, rev: increment(1), updatedAt: nowIso } }, { condition }),
      ...rest,
      ...guardChecks(db, change.guards, new Set([itemId(keys.nodeMeta(change.node.nodeId))])),
    ],
    { otherwise: concurrentUpdate },
  );
}

/** Share: new ACL entries and their grant items. */
export async function addGrants(db: Database, change: NodeChange, keyGeneration: number, grants: GrantItem[], nowIso: string): Promise<void> {
  const entries = Object.fromEntries(grants.map((g) => [g.principalId, aclEntry(g.role, g.grantExpiresAt)]));
  const puts = grants.map((g) => putItem(db, grantItem(g), { condition: isNew }));
  await commit(db, change, { setEntries: { acl: entries } }, puts, nowIso, { expression: 'keyGeneration = :gen', values: { ':gen': keyGeneration } });
}

/**
 * Revoke: ACL entries and grant items go together. On a document (`rotationDue`), the same write
 * marks its key for rotation: new versions are refused until a manager rotates (docs/versions.md).
 */
export async function removeGrants(db: Database, change: NodeChange, principalIds: string[], nowIso: string, options: { rotationDue?: boolean } = {}): Promise<void> {
  const deletes = principalIds.map((p) => deleteItem(db, keys.grant(change.node.nodeId, p), { condition: exists }));
  await commit(db, change, { set: { rotationDue: options.rotationDue ? true : undefined }, removeEntries: { acl: principalIds } }, deletes, nowIso);
}

/** A new level (and expiry) for one principal: a registry update, no re-encryption. */
export async function changeGrant(db: Database, change: NodeChange, principalId: string, entry: AclEntry, nowIso: string): Promise<void> {
  const key = keys.grant(change.node.nodeId, principalId);
  const expiry = entry.expiresAt ? indexKeys.byExpiry(entry.expiresAt, key.pk, key.sk) : undefined;
  const grantUpdate = updateItem<GrantItem>(
    db,
    key,
    expiry
      ? { set: { role: entry.role, grantExpiresAt: entry.expiresAt, ...expiry } }
      : { set: { role: entry.role }, remove: ['grantExpiresAt', 'gsi2pk', 'gsi2sk'] },
    { condition: exists },
  );
  await commit(db, change, { setEntries: { acl: { [principalId]: aclEntry(entry.role, entry.expiresAt) } } }, [grantUpdate], nowIso);
}

/** Ownership moves to a principal that already holds a direct grant; the old owner becomes manager. */
export async function transferOwnership(db: Database, change: NodeChange, from: string, to: string, nowIso: string): Promise<void> {
  const role = (principalId: string, value: Role) =>
    updateItem<GrantItem>(db, keys.grant(change.node.nodeId, principalId), { set: { role: value }, remove: ['grantExpiresAt', 'gsi2pk', 'gsi2sk'] }, { condition: exists });
  await commit(
    db,
    change,
    { set: { ownerId: to }, setEntries: { acl: { [`u:${to}`]: { role: 'owner' }, [`u:${from}`]: { role: 'manager' } } } },
    [role(`u:${to}`, 'owner'), role(`u:${from}`, 'manager')],
    nowIso,
    { expression: 'ownerId = :from', values: { ':from': from } },
  );
}

export async function changeSettings(db: Database, change: NodeChange, settings: NodeSettings, nowIso: string): Promise<void> {
  await commit(db, change, { set: { settings } }, [], nowIso);
}

import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { batchDeleteAll, batchGetAll, queryAll } from './batchOperations.js';
import { Conflict, NotFound } from '../../core/errors/index.js';
import type { Database } from './Database.js';
import { dynamo } from './dynamoErrors.js';
import { type CheckItem, conditionCheck, isNew, putItem, updateItem } from './itemBuilders.js';
import { indexKeys, keys, prefixes, principal } from './keys.js';
import { childPointerItem } from './tree.js';
import { type UploadRecord, type VersionItem, versionItem } from './versions.js';

import type { Role } from '../../core/permissions/levels.js';
import { activeAtRev, DEFAULT_SETTINGS, type GrantItem, type NodeMeta } from './nodes.js';
import { transact } from './transact.js';
import { increment } from './updateExpression.js';
import { writeGuarded } from './writeGuarded.js';

export type { GrantItem, Role };
export type { NodeState } from './nodes.js';

export interface PendingGrant {
  userId: string;
  wrappedKey: string;
  role: Role;
}

export interface DocumentMeta extends NodeMeta {
  kind: 'document';
  size: number;
  encryptedMetadata?: string;
  /** The newest active version. */
  currentVersion: number;
  /** The highest version number handed out (docs/versions.md); absent: `currentVersion`. */
  nextVersion?: number;
  /** Set by a revoke (or a group grant's re-wrap) until the key is rotated: new versions are refused meanwhile. */
  rotationDue?: true;
  /** Set while pending: grants become live only when the upload completes. */
  pendingGrants?: PendingGrant[];
  upload?: UploadRecord;
  /** While pending: when the cleanup job may treat the upload as abandoned. */
  abandonAt?: string;
}

export type { VersionItem };

/** Where a node sits: its folder (with the rev the caller's check read) or the root. */
export interface Placement {
  parentId: string;
  parentRev: number;
  path: string[];
}

export { DEFAULT_SETTINGS };

const notFound = () => new NotFound('DOCUMENT_NOT_FOUND', 'No such document, or you have no access to it.');

/** A grant item with its index keys: gsi1 by principal, gsi2 when it expires. */
export function grantItem(g: GrantItem) {
  const { pk, sk } = keys.grant(g.nodeId, g.principalId);
  return {
    pk,
    sk,
    type: 'grant',
    ...g,
    ...indexKeys.byPrincipal(g.principalId, g.sharedAt, g.nodeId),
    ...(g.grantExpiresAt ? indexKeys.byExpiry(g.grantExpiresAt, pk, sk) : {}),
  };
}

/** Guard: the folder is active and unchanged since the check. */
function parentCheck(db: Database, placement: Placement): CheckItem {
  return conditionCheck(db, keys.nodeMeta(placement.parentId), { condition: activeAtRev(placement.parentRev) });
}

/** Create: a pending document and its first version; guard: the id is new. */
export async function createPendingDocument(db: Database, meta: DocumentMeta, version: VersionItem, placement?: Placement): Promise<void> {
  const { pk, sk } = keys.nodeMeta(meta.nodeId);
  const exists = () => new Conflict('DOCUMENT_EXISTS', 'A document with this id exists: generate a new id.');
  const folder = placement ? parentCheck(db, placement) : undefined;
  await transact(
    db,
    [
      putItem(db, { pk, sk, type: 'node', ...meta, ...indexKeys.byExpiry(meta.abandonAt ?? meta.createdAt, pk, sk) }, { condition: isNew, onConditionFail: exists }),
      putItem(db, versionItem(version), { condition: isNew, onConditionFail: exists }),
      ...(folder ? [folder] : []),
    ],
    {
      // A changed folder is the answer even when the id is taken too.
      explain: (failed) => (folder && failed.includes(folder) ? new Conflict('FOLDER_CHANGED', 'The folder changed: reload it and retry.') : undefined),
      onConflict: () => new Conflict('CONCURRENT_UPDATE', 'A concurrent change won: retry.'),
    },
  );
}

/** The document's meta item, strongly consistent, or undefined. */
export async function getDocumentMeta(db: Database, nodeId: string): Promise<DocumentMeta | undefined> {
  const out = await dynamo(() =>
    db.doc.send(new GetCommand({ TableName: db.table, Key: keys.nodeMeta(nodeId), ConsistentRead: true })),
  );
  return out.Item as DocumentMeta | undefined;
}

/**
 * Complete: pending -> active, its first version active (with its digest), its ACL and grants
 * go live and it appears in its folder, in one transaction. Guard: still pending, the caller is
 * the owner; the folder unchanged since the check.
 */
export async function activateDocument(
  db: Database,
  meta: DocumentMeta,
  callerId: string,
  nowIso: string,
  placement?: Placement,
  digest?: string,
): Promise<void> {
  const grants = (meta.pendingGrants ?? []).map((g) =>
    grantItem({
      nodeId: meta.nodeId,
      principalId: principal.user(g.userId),
      userId: g.userId,
      role: g.role,
      wrappedKey: g.wrappedKey,
      keyGeneration: meta.keyGeneration,
      grantedBy: meta.ownerId,
      sharedAt: nowIso,
    }),
  );
  const acl = Object.fromEntries((meta.pendingGrants ?? []).map((g) => [principal.user(g.userId), { role: g.role }]));
  const completed = () => new Conflict('UPLOAD_ALREADY_COMPLETED', 'This upload was already completed or cancelled.');
  const folder = placement ? parentCheck(db, placement) : undefined;
  await transact(
    db,
    [
      updateItem<DocumentMeta>(
        db,
        keys.nodeMeta(meta.nodeId),
        {
          set: { state: 'active', updatedAt: nowIso, acl, path: placement ? placement.path : [], rev: increment(1) },
          remove: ['pendingGrants', 'gsi2pk', 'gsi2sk', 'abandonAt', 'upload'],
        },
        {
          condition: { expression: '#state = :pending AND ownerId = :caller', names: { '#state': 'state' }, values: { ':pending': 'pending', ':caller': callerId } },
          onConditionFail: completed,
        },
      ),
      updateItem<VersionItem>(db, keys.nodeVersion(meta.nodeId, meta.currentVersion), { set: { state: 'active', completedAt: nowIso, digest } }, {
        condition: { expression: 'attribute_exists(pk)' },
        onConditionFail: completed,
      }),
      ...grants.map((item) => putItem(db, item, { condition: isNew, onConditionFail: completed })),
      ...(placement && folder ? [putItem(db, childPointerItem(placement.parentId, meta.nodeId, 'document', nowIso)), folder] : []),
    ],
    {
      // A changed folder is the answer even when another condition failed too.
      explain: (failed) => (folder && failed.includes(folder) ? new Conflict('FOLDER_CHANGED', 'The folder changed: complete the upload again.') : undefined),
      onConflict: completed,
    },
  );
}

/**
 * List: one principal's grants by gsi1 (a query, never a scan), in `gsi1sk` order from position
 * `from` on (inclusive: the merge across principals drops what it already gave), at most `limit`.
 * `more`: the partition holds further grants after the last one returned.
 */
export async function listGrantsOfPrincipal(
  db: Database,
  principalId: string,
  limit: number,
  from?: string,
): Promise<{ grants: (GrantItem & { gsi1sk: string })[]; more: boolean }> {
  const out = await dynamo(() =>
    db.doc.send(
      new QueryCommand({
        TableName: db.table,
        IndexName: 'gsi1',
        KeyConditionExpression: 'gsi1pk = :p AND gsi1sk BETWEEN :from AND :to',
        ExpressionAttributeValues: { ':p': indexKeys.principalPartition(principalId), ':from': from ?? prefixes.grant, ':to': prefixes.grantEnd },
        Limit: limit,
      }),
    ),
  );
  return { grants: (out.Items ?? []) as (GrantItem & { gsi1sk: string })[], more: out.LastEvaluatedKey !== undefined };
}

/** Many metas in one round trip per 100 ids. */
export async function getNodeMetas(db: Database, nodeIds: string[]): Promise<Map<string, NodeMeta & Record<string, unknown>>> {
  const items = await batchGetAll(db, [...new Set(nodeIds)].map((id) => keys.nodeMeta(id)));
  return new Map(items.map((item) => [item.nodeId as string, item as unknown as NodeMeta & Record<string, unknown>]));
}

/** The grants of one document (owner's view), one query. */
export async function listGrantsOfDocument(db: Database, nodeId: string): Promise<GrantItem[]> {
  return (await queryAll(db, {
    KeyConditionExpression: 'pk = :pk AND begins_with(sk, :g)',
    ExpressionAttributeValues: { ':pk': keys.nodePartition(nodeId), ':g': 'GRANT#' },
    ConsistentRead: true,
  })) as unknown as GrantItem[];
}

/**
 * Delete, step 1: mark the document `deleting` (reads answer 404 from here on).
 * Guard: the caller owns it and it is not already being deleted.
 */
export async function markDeleting(db: Database, nodeId: string, ownerId: string, nowIso: string): Promise<DocumentMeta> {
  // Left on the expiry index so the cleanup job finishes a delete that failed half-way.
  const expiry = indexKeys.byExpiry(nowIso, keys.nodePartition(nodeId), 'META');
  await writeGuarded(
    db,
    updateItem<DocumentMeta>(db, keys.nodeMeta(nodeId), { set: { state: 'deleting', updatedAt: nowIso, ...expiry } }, {
      condition: {
        expression: 'ownerId = :owner AND #state IN (:active, :pending)',
        names: { '#state': 'state' },
        values: { ':owner': ownerId, ':active': 'active', ':pending': 'pending' },
      },
      onConditionFail: notFound,
    }),
  );
  // Read back (a transaction, which carries the audit event, returns no values): the document
  // stays `deleting` from here on, so the read sees this change.
  const out = await dynamo(() => db.doc.send(new GetCommand({ TableName: db.table, Key: keys.nodeMeta(nodeId), ConsistentRead: true })));
  return out.Item as DocumentMeta;
}

/** Delete, step 2: every item of the node's partition (meta last), and the object keys to remove. */
export async function listNodeItems(db: Database, nodeId: string): Promise<Record<string, unknown>[]> {
  return queryAll(db, {
    KeyConditionExpression: 'pk = :pk',
    ExpressionAttributeValues: { ':pk': keys.nodePartition(nodeId) },
    ConsistentRead: true,
  });
}

/** Delete, step 3: remove the given items (25 per batch, unprocessed retried). Idempotent. */
export async function deleteItems(db: Database, items: { pk: unknown; sk: unknown }[]): Promise<void> {
  await batchDeleteAll(db, items);
}

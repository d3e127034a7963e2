import { GetCommand, QueryCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { batchDeleteAll, batchGetAll, queryAll } from './batchOperations.js';
import { Conflict, NotFound } from '../errors/index.js';
import type { Database } from './Database.js';
import { cancellationReasons, dynamo, isConditionFailure } from './dynamoErrors.js';
import { indexKeys, keys, prefixes, principal } from './keys.js';

import type { Role } from '../permissions/levels.js';

export type { Role };
export type NodeState = 'pending' | 'active' | 'deleting';

export interface GrantRecord {
  userId: string;
  wrappedKey: string;
  role: Role;
}

export interface DocumentMeta {
  nodeId: string;
  kind: 'document';
  ownerId: string;
  state: NodeState;
  size: number;
  encryptedName: string;
  encryptedMetadata?: string;
  keyGeneration: number;
  currentVersion: number;
  createdAt: string;
  updatedAt: string;
  /** Set while pending: grants become live only when the upload completes. */
  pendingGrants?: GrantRecord[];
  upload?: { kind: 'single' } | { kind: 'multipart'; uploadId: string; partSize: number; partCount: number };
  /** While pending: when the cleanup job may treat the upload as abandoned. */
  abandonAt?: string;
}

export interface VersionItem {
  nodeId: string;
  version: number;
  size: number;
  objectKey: string;
  keyGeneration: number;
  createdBy: string;
  createdAt: string;
}

export interface GrantItem {
  nodeId: string;
  principalId: string;
  userId: string;
  role: Role;
  wrappedKey: string;
  keyGeneration: number;
  grantedBy: string;
  sharedAt: string;
}

const notFound = () => new NotFound('DOCUMENT_NOT_FOUND', 'No such document, or you have no access to it.');

function grantItem(g: GrantItem) {
  return {
    ...keys.grant(g.nodeId, g.principalId),
    type: 'grant',
    ...g,
    ...indexKeys.byPrincipal(g.principalId, g.sharedAt, g.nodeId),
  };
}

/** Create: a pending document and its first version; guard: the id is new. */
export async function createPendingDocument(db: Database, meta: DocumentMeta, version: VersionItem): Promise<void> {
  const { pk, sk } = keys.nodeMeta(meta.nodeId);
  await dynamo(
    () =>
      db.doc.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Put: {
                TableName: db.table,
                Item: { pk, sk, type: 'node', ...meta, ...indexKeys.byExpiry(meta.abandonAt ?? meta.createdAt, pk, sk) },
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            },
            {
              Put: {
                TableName: db.table,
                Item: { ...keys.nodeVersion(meta.nodeId, version.version), type: 'version', ...version },
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            },
          ],
        }),
      ),
    (error) => {
      if (cancellationReasons(error)?.some((r) => r.code === 'ConditionalCheckFailed')) {
        throw new Conflict('DOCUMENT_EXISTS', 'A document with this id exists: generate a new id.');
      }
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
 * Complete: pending -> active and its grants go live, in one transaction.
 * Guard: still pending, the caller is the owner, and no grant exists yet.
 */
export async function activateDocument(db: Database, meta: DocumentMeta, callerId: string, nowIso: string): Promise<void> {
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
  await dynamo(
    () =>
      db.doc.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Update: {
                TableName: db.table,
                Key: keys.nodeMeta(meta.nodeId),
                UpdateExpression: 'SET #state = :active, updatedAt = :now REMOVE pendingGrants, gsi2pk, gsi2sk, abandonAt, upload',
                ConditionExpression: '#state = :pending AND ownerId = :caller',
                ExpressionAttributeNames: { '#state': 'state' },
                ExpressionAttributeValues: { ':active': 'active', ':pending': 'pending', ':caller': callerId, ':now': nowIso },
              },
            },
            ...grants.map((Item) => ({
              Put: { TableName: db.table, Item, ConditionExpression: 'attribute_not_exists(pk)' },
            })),
          ],
        }),
      ),
    (error) => {
      if (cancellationReasons(error)?.some((r) => r.code === 'ConditionalCheckFailed' || r.code === 'TransactionConflict')) {
        throw new Conflict('UPLOAD_ALREADY_COMPLETED', 'This upload was already completed or cancelled.');
      }
    },
  );
}

/**
 * The access check: the node and the caller's grant in one round trip (BatchGet,
 * strongly consistent so a revoke is seen at once). Unknown, not active, or no
 * grant all answer the same NotFound: a caller may not learn that a document exists.
 */
export async function resolveDocumentAccess(
  db: Database,
  nodeId: string,
  userId: string,
): Promise<{ meta: DocumentMeta; grant: GrantItem }> {
  const items = await batchGetAll(db, [keys.nodeMeta(nodeId), keys.grant(nodeId, principal.user(userId))], true);
  const meta = items.find((i) => i.sk === 'META') as DocumentMeta | undefined;
  const grant = items.find((i) => typeof i.sk === 'string' && i.sk.startsWith('GRANT#')) as GrantItem | undefined;
  if (!meta || !grant || meta.state !== 'active') throw notFound();
  return { meta, grant };
}

/** List: the caller's grants by gsi1 (a query, never a scan), one page. */
export async function listGrantsOfUser(
  db: Database,
  userId: string,
  limit: number,
  startKey?: Record<string, unknown>,
): Promise<{ grants: GrantItem[]; lastKey?: Record<string, unknown> }> {
  const out = await dynamo(() =>
    db.doc.send(
      new QueryCommand({
        TableName: db.table,
        IndexName: 'gsi1',
        KeyConditionExpression: 'gsi1pk = :p AND begins_with(gsi1sk, :g)',
        ExpressionAttributeValues: { ':p': indexKeys.principalPartition(principal.user(userId)), ':g': prefixes.grant },
        Limit: limit,
        ExclusiveStartKey: startKey,
      }),
    ),
  );
  const result: { grants: GrantItem[]; lastKey?: Record<string, unknown> } = { grants: (out.Items ?? []) as GrantItem[] };
  if (out.LastEvaluatedKey) result.lastKey = out.LastEvaluatedKey;
  return result;
}

/** Many metas in one round trip per 100 ids. */
export async function getDocumentMetas(db: Database, nodeIds: string[]): Promise<Map<string, DocumentMeta>> {
  const items = await batchGetAll(db, [...new Set(nodeIds)].map((id) => keys.nodeMeta(id)));
  return new Map(items.map((item) => [item.nodeId as string, item as unknown as DocumentMeta]));
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
 * Share: add grants for new users, all or none. Guards (as conditions): the caller
 * owns the active document at the claimed key generation; no listed user holds a grant.
 */
export async function addGrants(
  db: Database,
  nodeId: string,
  ownerId: string,
  keyGeneration: number,
  grants: GrantItem[],
): Promise<void> {
  await dynamo(
    () =>
      db.doc.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              ConditionCheck: {
                TableName: db.table,
                Key: keys.nodeMeta(nodeId),
                ConditionExpression: '#state = :active AND ownerId = :owner AND keyGeneration = :gen',
                ExpressionAttributeNames: { '#state': 'state' },
                ExpressionAttributeValues: { ':active': 'active', ':owner': ownerId, ':gen': keyGeneration },
              },
            },
            ...grants.map((g) => ({
              Put: { TableName: db.table, Item: grantItem(g), ConditionExpression: 'attribute_not_exists(pk)' },
            })),
          ],
        }),
      ),
    (error) => {
      const reasons = cancellationReasons(error);
      if (!reasons) return;
      if (reasons[0]?.code === 'ConditionalCheckFailed') throw new Conflict('DOCUMENT_CHANGED', 'The document changed: reload it and retry.');
      const already = grants.filter((_, i) => reasons[i + 1]?.code === 'ConditionalCheckFailed').map((g) => g.userId);
      if (already.length > 0) {
        throw new Conflict('ALREADY_SHARED', `Already shared with: ${already.join(', ')}. Nothing was changed.`, {
          userIds: already,
        });
      }
      if (reasons.some((r) => r.code === 'TransactionConflict')) throw new Conflict('CONCURRENT_UPDATE', 'A concurrent change won: retry.');
    },
  );
}

/**
 * Revoke: remove grants, all or none. Guards: the caller owns the active document;
 * every listed user holds a grant; the owner's own grant is never removed here.
 */
export async function removeGrants(db: Database, nodeId: string, ownerId: string, userIds: string[]): Promise<void> {
  await dynamo(
    () =>
      db.doc.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              ConditionCheck: {
                TableName: db.table,
                Key: keys.nodeMeta(nodeId),
                ConditionExpression: '#state = :active AND ownerId = :owner',
                ExpressionAttributeNames: { '#state': 'state' },
                ExpressionAttributeValues: { ':active': 'active', ':owner': ownerId },
              },
            },
            ...userIds.map((userId) => ({
              Delete: {
                TableName: db.table,
                Key: keys.grant(nodeId, principal.user(userId)),
                ConditionExpression: 'attribute_exists(pk) AND #role <> :owner',
                ExpressionAttributeNames: { '#role': 'role' },
                ExpressionAttributeValues: { ':owner': 'owner' },
              },
            })),
          ],
        }),
      ),
    (error) => {
      const reasons = cancellationReasons(error);
      if (!reasons) return;
      if (reasons[0]?.code === 'ConditionalCheckFailed') throw new Conflict('DOCUMENT_CHANGED', 'The document changed: reload it and retry.');
      const missing = userIds.filter((_, i) => reasons[i + 1]?.code === 'ConditionalCheckFailed');
      if (missing.length > 0) {
        throw new Conflict('NOT_SHARED', `Not shared with: ${missing.join(', ')}. Nothing was changed.`, { userIds: missing });
      }
      if (reasons.some((r) => r.code === 'TransactionConflict')) throw new Conflict('CONCURRENT_UPDATE', 'A concurrent change won: retry.');
    },
  );
}

/**
 * Delete, step 1: mark the document `deleting` (reads answer 404 from here on).
 * Guard: the caller owns it and it is not already being deleted.
 */
export async function markDeleting(db: Database, nodeId: string, ownerId: string, nowIso: string): Promise<DocumentMeta> {
  // Left on the expiry index so the cleanup job finishes a delete that failed half-way.
  const expiry = indexKeys.byExpiry(nowIso, keys.nodePartition(nodeId), 'META');
  const out = await dynamo(
    () =>
      db.doc.send(
        new UpdateCommand({
          TableName: db.table,
          Key: keys.nodeMeta(nodeId),
          UpdateExpression: 'SET #state = :deleting, updatedAt = :now, gsi2pk = :expiry, gsi2sk = :sk',
          ConditionExpression: 'ownerId = :owner AND #state IN (:active, :pending)',
          ExpressionAttributeNames: { '#state': 'state' },
          ExpressionAttributeValues: {
            ':deleting': 'deleting',
            ':now': nowIso,
            ':owner': ownerId,
            ':active': 'active',
            ':pending': 'pending',
            ':expiry': expiry.gsi2pk,
            ':sk': expiry.gsi2sk,
          },
          ReturnValues: 'ALL_NEW',
        }),
      ),
    (error) => {
      if (isConditionFailure(error)) throw notFound();
    },
  );
  return out.Attributes as DocumentMeta;
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

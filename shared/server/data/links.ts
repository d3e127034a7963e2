import { GetCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { Conflict, NotFound } from '../../core/errors/index.js';
import type { LinkAccess, LinkAudience, LinkKdf } from '../../core/api/schemas/links.js';
import type { AuditEvent } from '../../core/api/auditEvent.js';
import { batchDeleteAll, queryAll } from './batchOperations.js';
import type { Database } from './Database.js';
import { dynamo, isConditionFailure } from './dynamoErrors.js';
import { type Condition, conditionCheck, deleteItem, exists, isNew, putItem, updateItem } from './itemBuilders.js';
import { indexKeys, keys } from './keys.js';
import { activeAtRev, type NodeKind } from './nodes.js';
import { transact } from './transact.js';
import { increment } from './updateExpression.js';
import { sendIfHolds } from './sendGuarded.js';
import { type Guard, guardChecks, itemId } from './guards.js';

/**
 * Share links (docs/links.md, "Data"): `LINK#<linkId>` / `LINK`, on gsi1 under its node
 * (`LINKS#<nodeId>`, oldest first) and on gsi2 under its expiry. The item holds no token:
 * its key is a hash of it. Every guard is a DynamoDB condition.
 */
export interface LinkItem {
  linkId: string;
  nodeId: string;
  nodeKind: NodeKind;
  createdBy: string;
  createdAt: string;
  linkExpiresAt: string;
  access: LinkAccess;
  audience: LinkAudience;
  maxDownloads?: number;
  downloads: number;
  accessCount: number;
  lastAccessAt?: string;
  keyGeneration: number;
  wrappedKey: string;
  password?: { verifier: string; kdf: LinkKdf };
  failedAttempts: number;
  lockedUntil?: string;
}

/** The DynamoDB TTL backstop: a week after the link expires (the cleanup job deletes it first). */
const TTL_GRACE_SECONDS = 7 * 24 * 3600;

/** Thrown by the counter writes when their condition fails or the transaction loses a race: re-read and classify. */
export class LinkChanged extends Conflict {
  constructor() {
    super('LINK_CHANGED', 'The link changed: retry.');
  }
}

export const linkNotFound = () => new NotFound('LINK_NOT_FOUND', 'No such link: it may have been revoked, or its document deleted.');

/** The stored item: the link, its two index entries and the TTL backstop. */
export function linkItem(link: LinkItem) {
  const key = keys.link(link.linkId);
  return {
    ...key,
    type: 'link',
    ...link,
    ...indexKeys.linksOf(link.nodeId, link.createdAt, link.linkId),
    ...indexKeys.byExpiry(link.linkExpiresAt, key.pk, key.sk),
    expiresAt: Math.floor(Date.parse(link.linkExpiresAt) / 1000) + TTL_GRACE_SECONDS,
  };
}

const LINK_FIELDS = [
  'linkId',
  'nodeId',
  'nodeKind',
  'createdBy',
  'createdAt',
  'linkExpiresAt',
  'access',
  'audience',
  'maxDownloads',
  'downloads',
  'accessCount',
  'lastAccessAt',
  'keyGeneration',
  'wrappedKey',
  'password',
  'failedAttempts',
  'lockedUntil',
] as const;

function toLink(item: Record<string, unknown>): LinkItem {
  const out: Record<string, unknown> = {};
  for (const f of LINK_FIELDS) if (item[f] !== undefined) out[f] = item[f];
  return out as unknown as LinkItem;
}

/**
 * Create: the link (guard: its id is new), the node still active at the rev the caller's check
 * read, the guards that carried the caller's authority, and the `link.create` event: all or nothing.
 */
export async function putLink(db: Database, link: LinkItem, node: Guard, guards: readonly Guard[], event: AuditEvent): Promise<void> {
  await transact(
    db,
    [
      putItem(db, linkItem(link), { condition: isNew, onConditionFail: () => new Conflict('LINK_EXISTS', 'A link with this id exists: retry.') }),
      conditionCheck(db, node.key, { condition: activeAtRev(node.rev) }),
      ...guardChecks(db, guards, new Set([itemId(node.key)])),
    ],
    { event, otherwise: () => new Conflict('CONCURRENT_UPDATE', 'The document or folder changed: reload it and retry.') },
  );
}

/** Open, step 1: the link by id, strongly consistent, or undefined. */
export async function getLink(db: Database, linkId: string): Promise<LinkItem | undefined> {
  const out = await dynamo(() => db.doc.send(new GetCommand({ TableName: db.table, Key: keys.link(linkId), ConsistentRead: true })));
  return out.Item ? toLink(out.Item) : undefined;
}

/** List: one page of a node's links by gsi1 (a query, never a scan), oldest first. */
export async function listLinksOf(
  db: Database,
  nodeId: string,
  limit: number,
  startKey?: Record<string, unknown>,
): Promise<{ links: LinkItem[]; lastKey?: Record<string, unknown> }> {
  const out = await dynamo(() =>
    db.doc.send(
      new QueryCommand({
        TableName: db.table,
        IndexName: 'gsi1',
        KeyConditionExpression: 'gsi1pk = :p',
        ExpressionAttributeValues: { ':p': indexKeys.linksPartition(nodeId) },
        Limit: limit,
        ExclusiveStartKey: startKey,
      }),
    ),
  );
  const page: { links: LinkItem[]; lastKey?: Record<string, unknown> } = { links: (out.Items ?? []).map(toLink) };
  if (out.LastEvaluatedKey) page.lastKey = out.LastEvaluatedKey;
  return page;
}

/** Every link of a node, through gsi1 (a query per page, never a scan). */
export async function allLinksOf(db: Database, nodeId: string): Promise<LinkItem[]> {
  const found = await queryAll(db, {
    IndexName: 'gsi1',
    KeyConditionExpression: 'gsi1pk = :p',
    ExpressionAttributeValues: { ':p': indexKeys.linksPartition(nodeId) },
  });
  return found.map(toLink);
}

export interface OpenWrite {
  linkId: string;
  /** A document open counts a download; a folder listing only an access. */
  countDownload: boolean;
  nowIso: string;
}

/**
 * Open, the commit: the counters and the `link.open` event in one transaction. Guard: the link
 * exists, has not expired, is not used up (`downloads < maxDownloads` when set) and is not locked.
 * A failed guard or a lost race throws LinkChanged: the caller re-reads and classifies.
 */
export async function recordLinkOpen(db: Database, write: OpenWrite, event: AuditEvent): Promise<void> {
  const open = updateItem<LinkItem>(
    db,
    keys.link(write.linkId),
    { set: { downloads: write.countDownload ? increment(1) : undefined, accessCount: increment(1), lastAccessAt: write.nowIso, failedAttempts: 0 } },
    {
      condition: {
        expression:
          'attribute_exists(pk) AND linkExpiresAt > :now AND (attribute_not_exists(maxDownloads) OR downloads < maxDownloads) AND (attribute_not_exists(lockedUntil) OR lockedUntil <= :now)',
        values: { ':now': write.nowIso },
      },
    },
  );
  await transact(db, [open], { event, otherwise: () => new LinkChanged() });
}

/**
 * A wrong proof: `failedAttempts + 1`, atomically. Guard: the link exists and is not locked
 * (else LinkChanged). Returns the new count.
 */
export async function countFailedAttempt(db: Database, linkId: string, nowIso: string): Promise<number> {
  const count = updateItem<LinkItem>(db, keys.link(linkId), { add: { failedAttempts: 1 } }, { condition: unlocked(nowIso) });
  const out = await dynamo(
    () => db.doc.send(new UpdateCommand({ ...count.Update, ReturnValues: 'UPDATED_NEW' })),
    (error) => {
      if (isConditionFailure(error)) throw new LinkChanged();
    },
  );
  return Number(out.Attributes?.failedAttempts ?? 0);
}

/**
 * Lock: `lockedUntil` set and the count reset, once. Guard: the count reached `maxAttempts` and
 * the link is not already locked, so of several attempts that reach the limit at once exactly
 * one locks (true) and the others see it locked (false).
 */
export function lockLink(db: Database, linkId: string, maxAttempts: number, nowIso: string, lockedUntil: string): Promise<boolean> {
  return sendIfHolds(
    db,
    updateItem<LinkItem>(db, keys.link(linkId), { set: { lockedUntil, failedAttempts: 0 } }, {
      condition: {
        expression: 'attribute_exists(pk) AND failedAttempts >= :max AND (attribute_not_exists(lockedUntil) OR lockedUntil <= :now)',
        values: { ':max': maxAttempts, ':now': nowIso },
      },
    }),
  );
}

/** Guard: the link exists and is not locked at `nowIso`. */
function unlocked(nowIso: string): Condition {
  return { expression: 'attribute_exists(pk) AND (attribute_not_exists(lockedUntil) OR lockedUntil <= :now)', values: { ':now': nowIso } };
}

/** Revoke: the link (guard: it exists, else LINK_NOT_FOUND) and the `link.revoke` event, together. */
export async function deleteLink(db: Database, linkId: string, event: AuditEvent): Promise<void> {
  await transact(db, [deleteItem(db, keys.link(linkId), { condition: exists, onConditionFail: linkNotFound })], {
    event,
    otherwise: () => new Conflict('CONCURRENT_UPDATE', 'The link changed: retry.'),
  });
}

/**
 * Node delete: every link of the node, found through gsi1, deleted. Idempotent (a link already
 * gone is not an error), so an interrupted delete can run it again. Returns how many it found.
 */
export async function deleteLinksOf(db: Database, nodeId: string): Promise<number> {
  const found = await queryAll(db, {
    IndexName: 'gsi1',
    KeyConditionExpression: 'gsi1pk = :p',
    ExpressionAttributeValues: { ':p': indexKeys.linksPartition(nodeId) },
    ProjectionExpression: 'pk, sk',
  });
  await batchDeleteAll(db, found as { pk: string; sk: string }[]);
  return found.length;
}

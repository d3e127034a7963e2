import { auditedTransaction } from '../audit/auditedTransaction.js';
import type { AuditEvent } from '../../core/api/auditEvent.js';
import { queryPages } from './batchOperations.js';
import type { Database } from './Database.js';
import { conditionFailures } from './dynamoErrors.js';
import { type Condition, deleteItem, type DeleteItem, updateItem } from './itemBuilders.js';
import { indexKeys, keys } from './keys.js';
import type { NodeMeta } from './nodes.js';
import { withoutHandler } from './transact.js';
import type { GuardedItem } from './transactItem.js';
import { increment } from './updateExpression.js';
import type { VersionItem } from './versions.js';

/**
 * The expiry index (gsi2, `gsi2pk = EXPIRY`, `gsi2sk = <iso>#<pk>#<sk>`) and the cleanup job's
 * conditional writes (docs/links.md, "Cleanup"). Every write here is guarded so that two runs
 * at once, or a run racing a request, change each item at most once: the loser's condition
 * fails, which the caller reads as "already done". Each audit event is written in the same
 * transaction as the change it records, so it is written exactly once too.
 */

/** One entry of the expiry index: the whole item (the index projects every attribute). */
export type ExpiryEntry = Record<string, unknown> & { pk: string; sk: string; gsi2sk: string };

/** What a guarded write came to: `done` by this call, or `lost` to a concurrent change. */
export type GuardedOutcome = 'done' | 'lost';

/** Entries per page of the expiry query. */
const PAGE_SIZE = 100;

/**
 * Due entries: `gsi2pk = EXPIRY AND gsi2sk < now`, oldest first, one page at a time (a query,
 * never a scan). Pages are fetched as the caller consumes them, so the caller may stop early.
 */
export function dueEntries(db: Database, nowIso: string): AsyncGenerator<ExpiryEntry[]> {
  return queryPages(db, {
    IndexName: 'gsi2',
    KeyConditionExpression: 'gsi2pk = :expiry AND gsi2sk < :now',
    ExpressionAttributeValues: { ':expiry': 'EXPIRY', ':now': nowIso },
    Limit: PAGE_SIZE,
  }) as AsyncGenerator<ExpiryEntry[]>;
}

/**
 * Expire a link: delete it and record `link.expire`, together.
 * Guard: the link is still expired at `now` (a revoked or already expired link is `lost`).
 */
export async function expireLink(db: Database, key: { pk: string; sk: string }, nowIso: string, audit: AuditEvent): Promise<GuardedOutcome> {
  const expire = deleteItem(db, { pk: key.pk, sk: key.sk }, { condition: { expression: 'linkExpiresAt <= :now', values: { ':now': nowIso } } });
  return (await failedConditions(db, audit, [expire])) ? 'lost' : 'done';
}

/** What expiring a grant came to; `inconsistent`: the node's ACL entry does not match the grant item. */
export type GrantExpiry = GuardedOutcome | 'node-gone' | 'inconsistent';

/**
 * Expire a grant: delete the grant item and its ACL entry on the node (bumping `rev`, as every
 * registry change does) and record `grant.expire`, together.
 * Guards: the grant item still has this expiry, and so does the node's ACL entry (an extended,
 * cleared or revoked grant is never touched). A node that is gone is reported as `node-gone`.
 */
export async function expireGrant(
  db: Database,
  grant: { nodeId: string; principalId: string; grantExpiresAt: string },
  nowIso: string,
  audit: AuditEvent,
): Promise<GrantExpiry> {
  const grantItem = grantDelete(db, grant);
  const meta = updateItem<NodeMeta>(
    db,
    keys.nodeMeta(grant.nodeId),
    { set: { rev: increment(1), updatedAt: nowIso }, removeEntries: { acl: [grant.principalId] } },
    { condition: { expression: 'acl.#p.expiresAt = :e', names: { '#p': grant.principalId }, values: { ':e': grant.grantExpiresAt } }, returnOld: true },
  );
  const failed = await failedConditions(db, audit, [grantItem, meta]);
  if (!failed) return 'done';
  if (failed.has(grantItem)) return 'lost';
  // The META as it is now: present with another entry, or gone.
  if (failed.has(meta)) return failed.get(meta) ? 'inconsistent' : 'node-gone';
  return 'lost';
}

/**
 * Expire the grant item of a node that is gone (nothing else holds its ACL entry) and record
 * `grant.expire`, together. Guard: the grant item still has this expiry.
 */
export async function expireOrphanGrant(
  db: Database,
  grant: { nodeId: string; principalId: string; grantExpiresAt: string },
  audit: AuditEvent,
): Promise<GuardedOutcome> {
  return (await failedConditions(db, audit, [grantDelete(db, grant)])) ? 'lost' : 'done';
}

/**
 * Abandon a pending upload: mark the document `deleting` and record `upload.abandon`, together.
 * The node stays on the expiry index with a retry time, so a purge that stops half-way is
 * resumed by a later run once `retryAtIso` has passed.
 * Guard: still pending, with the same `abandonAt` (a completed upload is never touched).
 */
export async function abandonUpload(
  db: Database,
  nodeId: string,
  abandonAt: string,
  nowIso: string,
  retryAtIso: string,
  audit: AuditEvent,
): Promise<GuardedOutcome> {
  const { pk, sk } = keys.nodeMeta(nodeId);
  const retry = indexKeys.byExpiry(retryAtIso, pk, sk);
  const abandon = updateItem<NodeMeta>(db, { pk, sk }, { set: { state: 'deleting', updatedAt: nowIso, gsi2sk: retry.gsi2sk } }, { condition: pendingSince(abandonAt) });
  return (await failedConditions(db, audit, [abandon])) ? 'lost' : 'done';
}

/**
 * Claim an interrupted delete for this run: move the node's expiry entry to `retryAtIso` and
 * record `delete.resume`, together. Only one run wins the claim, and a run that dies while
 * purging leaves the entry to come due again at `retryAtIso`.
 * Guard: still `deleting`, with the expiry entry this run saw.
 */
export async function claimDelete(db: Database, nodeId: string, seenSk: string, retryAtIso: string, audit: AuditEvent): Promise<GuardedOutcome> {
  const { pk, sk } = keys.nodeMeta(nodeId);
  const retry = indexKeys.byExpiry(retryAtIso, pk, sk);
  const claim = updateItem<NodeMeta>(db, { pk, sk }, { set: { gsi2sk: retry.gsi2sk } }, { condition: inStateSeen('deleting', seenSk) });
  return (await failedConditions(db, audit, [claim])) ? 'lost' : 'done';
}

/**
 * Abandon a pending version (created, never completed): mark it `pruned`, so a completion racing
 * this fails its `pending` guard, with its expiry entry moved to `retryAtIso` (a removal that stops
 * half-way comes due again), and record `version.abandon`, together.
 * Guard: still pending, with the same `abandonAt` (a completed version is never touched).
 */
export async function abandonVersion(
  db: Database,
  key: { pk: string; sk: string },
  abandonAt: string,
  retryAtIso: string,
  audit: AuditEvent,
): Promise<GuardedOutcome> {
  const retry = indexKeys.byExpiry(retryAtIso, key.pk, key.sk);
  const abandon = updateItem<VersionItem>(
    db,
    { pk: key.pk, sk: key.sk },
    { set: { state: 'pruned', abandonAt: retryAtIso, gsi2sk: retry.gsi2sk } },
    { condition: pendingSince(abandonAt) },
  );
  return (await failedConditions(db, audit, [abandon])) ? 'lost' : 'done';
}

/**
 * Claim a pruned version whose removal stopped half-way (retention in a request, or an earlier
 * run): move its expiry entry to `retryAtIso` and record `version.prune`, together. Only one run
 * wins the claim. Guard: still pruned, with the expiry entry this run saw.
 */
export async function claimPrunedVersion(db: Database, key: { pk: string; sk: string }, seenSk: string, retryAtIso: string, audit: AuditEvent): Promise<GuardedOutcome> {
  const retry = indexKeys.byExpiry(retryAtIso, key.pk, key.sk);
  const claim = updateItem<VersionItem>(db, { pk: key.pk, sk: key.sk }, { set: { abandonAt: retryAtIso, gsi2sk: retry.gsi2sk } }, { condition: inStateSeen('pruned', seenSk) });
  return (await failedConditions(db, audit, [claim])) ? 'lost' : 'done';
}

function grantDelete(db: Database, grant: { nodeId: string; principalId: string; grantExpiresAt: string }): DeleteItem {
  return deleteItem(db, keys.grant(grant.nodeId, grant.principalId), { condition: { expression: 'grantExpiresAt = :e', values: { ':e': grant.grantExpiresAt } } });
}

/** Guard: still pending, with the `abandonAt` this run saw (a completed upload is never touched). */
function pendingSince(abandonAt: string): Condition {
  return { expression: '#state = :pending AND abandonAt = :at', names: { '#state': 'state' }, values: { ':pending': 'pending', ':at': abandonAt } };
}

/** Guard: still in `state`, with the expiry entry this run saw (only one run wins a claim). */
function inStateSeen(state: 'deleting' | 'pruned', seenSk: string): Condition {
  return { expression: '#state = :state AND gsi2sk = :seen', names: { '#state': 'state' }, values: { ':state': state, ':seen': seenSk } };
}

/**
 * The items and `audit`'s event in one transaction (auditedTransaction: lost races retried):
 * `undefined` when it committed, else the items whose condition failed, each with its current
 * values when it asked for them. Here a failed condition is an answer ("already done"), not an error.
 */
async function failedConditions(db: Database, audit: AuditEvent, items: readonly GuardedItem[]): Promise<Map<GuardedItem, Record<string, unknown> | undefined> | undefined> {
  const reasons = await auditedTransaction(db, audit, (a) => [...items.map(withoutHandler), ...a]);
  return reasons && conditionFailures(reasons, items);
}

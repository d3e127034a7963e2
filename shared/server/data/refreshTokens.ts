import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { Conflict, Unauthorized } from '../../core/errors/index.js';
import type { Database } from './Database.js';
import { dynamo } from './dynamoErrors.js';
import { type CheckItem, conditionCheck, exists, isNew, putItem, updateItem } from './itemBuilders.js';
import { keys } from './keys.js';
import { transact } from './transact.js';
import { ifNotExists } from './updateExpression.js';
import { writeGuarded } from './writeGuarded.js';

/**
 * Refresh tokens are stored as SHA-256 hashes only, grouped in a family (one login).
 * Each use rotates the token; presenting a used token again means it was stolen,
 * so the whole family is revoked (reuse detection). Logout revokes the family.
 */
export interface RefreshTokenItem {
  hash: string;
  userId: string;
  familyId: string;
  issuedAt: string;
  /** Epoch seconds: the TTL attribute, and checked on every read. */
  expiresAt: number;
  usedAt?: string;
  /**
   * The user's session epoch when the family's login read the credentials (absent: 0), carried
   * by every token of the family. A refresh is refused once the credentials moved past it (a
   * passphrase change): all of a user's sessions end in the change's own write, however many.
   */
  sessionEpoch?: number;
}

/** `FAMILY#<id>` / `FAMILY`: one login's tokens, revoked together. */
interface TokenFamilyItem {
  familyId: string;
  userId: string;
  createdAt: string;
  /** Epoch seconds: the TTL attribute. */
  expiresAt: number;
  revokedAt?: string;
}

const invalid = () => new Unauthorized('INVALID_REFRESH_TOKEN', 'The refresh token is not valid: log in again.');

/** Login: a new family and its first token. */
export async function startRefreshFamily(db: Database, token: RefreshTokenItem): Promise<void> {
  const family: TokenFamilyItem = { familyId: token.familyId, userId: token.userId, createdAt: token.issuedAt, expiresAt: token.expiresAt };
  await transact(db, [
    putItem(db, { ...keys.tokenFamily(token.familyId), type: 'tokenFamily', ...family }, { condition: isNew }),
    putItem(db, { ...keys.refreshToken(token.hash), type: 'refreshToken', ...token }, { condition: isNew }),
  ]);
}

/** A live, unexpired token by hash; throws INVALID_REFRESH_TOKEN otherwise (expired ones included). */
export async function getRefreshToken(db: Database, hash: string, nowMs: number): Promise<RefreshTokenItem> {
  const out = await dynamo(() =>
    db.doc.send(new GetCommand({ TableName: db.table, Key: keys.refreshToken(hash), ConsistentRead: true })),
  );
  const item = out.Item as RefreshTokenItem | undefined;
  // TTL deletes late: the expiry is checked here, never left to DynamoDB.
  if (!item || item.expiresAt * 1000 <= nowMs) throw invalid();
  return item;
}

/**
 * Refresh: mark the old token used and add its successor, in one transaction
 * guarded by "old token unused", "family not revoked" and "the user's session epoch is
 * still the family's" (no passphrase change since its login). A used token means
 * reuse: the family is revoked and the caller must log in again.
 */
export async function rotateRefreshToken(db: Database, old: RefreshTokenItem, next: RefreshTokenItem): Promise<void> {
  const reused = () => new RefreshTokenReused(old.familyId);
  const spend = updateItem<RefreshTokenItem>(db, keys.refreshToken(old.hash), { set: { usedAt: next.issuedAt } }, {
    condition: { expression: 'attribute_exists(pk) AND attribute_not_exists(usedAt)' },
    onConditionFail: reused,
  });
  const family = conditionCheck(db, keys.tokenFamily(old.familyId), { condition: { expression: 'attribute_exists(pk) AND attribute_not_exists(revokedAt)' } });
  const epoch = sessionEpochCheck(db, old);
  await transact(db, [spend, family, putItem(db, { ...keys.refreshToken(next.hash), type: 'refreshToken', ...next }, { condition: isNew }), epoch], {
    // A revoked session is the answer even when the token was also spent.
    explain: (failed) =>
      failed.includes(family) || failed.includes(epoch) ? new Unauthorized('SESSION_REVOKED', 'This session was logged out or revoked: log in again.') : undefined,
    onConflict: (reasonOf) =>
      // A passphrase change was writing the credentials at that instant: nothing was spent, retry.
      // A concurrent use of the same token is a reuse as well.
      reasonOf(epoch) === 'TransactionConflict' && reasonOf(spend) === 'None'
        ? new Conflict('CONCURRENT_UPDATE', 'The account changed at the same moment: retry.')
        : reused(),
  });
}

/** The refresh's guard on the user's credentials: the family's session epoch is still the current one. */
function sessionEpochCheck(db: Database, token: RefreshTokenItem): CheckItem {
  const epoch = token.sessionEpoch ?? 0;
  return conditionCheck(db, keys.userCredentials(token.userId), {
    condition: {
      expression: epoch === 0 ? 'attribute_exists(pk) AND (attribute_not_exists(sessionEpoch) OR sessionEpoch = :epoch)' : 'sessionEpoch = :epoch',
      values: { ':epoch': epoch },
    },
  });
}

/** Thrown by rotateRefreshToken when a token is presented twice. */
export class RefreshTokenReused extends Unauthorized {
  constructor(readonly familyId: string) {
    super('REFRESH_TOKEN_REUSED', 'This refresh token was already used: the session is revoked, log in again.');
  }
}

/** Logout and reuse response: revoke every token of the family. Idempotent. */
export async function revokeRefreshFamily(db: Database, familyId: string, nowIso: string): Promise<void> {
  await writeGuarded(db, updateItem<TokenFamilyItem>(db, keys.tokenFamily(familyId), { set: { revokedAt: ifNotExists(nowIso) } }, { condition: exists, onConditionFail: invalid }));
}

import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { Conflict, Unauthorized } from '../../core/errors/index.js';
import type { Database } from './Database.js';
import { cancellationReasons, dynamo } from './dynamoErrors.js';
import { keys } from './keys.js';
import { transactWrite, writeItem } from './transactWrite.js';

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

const invalid = () => new Unauthorized('INVALID_REFRESH_TOKEN', 'The refresh token is not valid: log in again.');

/** Login: a new family and its first token. */
export async function startRefreshFamily(db: Database, token: RefreshTokenItem): Promise<void> {
  await dynamo(() =>
    transactWrite(db, [
          {
            Put: {
              TableName: db.table,
              Item: {
                ...keys.tokenFamily(token.familyId),
                type: 'tokenFamily',
                familyId: token.familyId,
                userId: token.userId,
                createdAt: token.issuedAt,
                expiresAt: token.expiresAt,
              },
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          },
          {
            Put: {
              TableName: db.table,
              Item: { ...keys.refreshToken(token.hash), type: 'refreshToken', ...token },
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          },
        ]),
  );
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
  await dynamo(
    () =>
      transactWrite(db, [
            {
              Update: {
                TableName: db.table,
                Key: keys.refreshToken(old.hash),
                UpdateExpression: 'SET usedAt = :now',
                ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(usedAt)',
                ExpressionAttributeValues: { ':now': next.issuedAt },
              },
            },
            {
              ConditionCheck: {
                TableName: db.table,
                Key: keys.tokenFamily(old.familyId),
                ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(revokedAt)',
              },
            },
            {
              Put: {
                TableName: db.table,
                Item: { ...keys.refreshToken(next.hash), type: 'refreshToken', ...next },
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            },
            sessionEpochCheck(db, old),
          ]),
    (error) => {
      const reasons = cancellationReasons(error);
      if (!reasons) return;
      if (reasons[1]?.code === 'ConditionalCheckFailed' || reasons[3]?.code === 'ConditionalCheckFailed') {
        throw new Unauthorized('SESSION_REVOKED', 'This session was logged out or revoked: log in again.');
      }
      if (reasons[3]?.code === 'TransactionConflict' && reasons[0]?.code === 'None') {
        // A passphrase change was writing the credentials at that instant: nothing was spent, retry.
        throw new Conflict('CONCURRENT_UPDATE', 'The account changed at the same moment: retry.');
      }
      if (reasons[0]?.code === 'ConditionalCheckFailed') throw new RefreshTokenReused(old.familyId);
      if (reasons.some((r) => r.code === 'TransactionConflict')) {
        // A concurrent use of the same token is a reuse as well.
        throw new RefreshTokenReused(old.familyId);
      }
    },
  );
}

/** The refresh's guard on the user's credentials: the family's session epoch is still the current one. */
function sessionEpochCheck(db: Database, token: RefreshTokenItem) {
  const epoch = token.sessionEpoch ?? 0;
  return {
    ConditionCheck: {
      TableName: db.table,
      Key: keys.userCredentials(token.userId),
      ConditionExpression: epoch === 0 ? 'attribute_exists(pk) AND (attribute_not_exists(sessionEpoch) OR sessionEpoch = :epoch)' : 'sessionEpoch = :epoch',
      ExpressionAttributeValues: { ':epoch': epoch },
    },
  };
}

/** Thrown by rotateRefreshToken when a token is presented twice. */
export class RefreshTokenReused extends Unauthorized {
  constructor(readonly familyId: string) {
    super('REFRESH_TOKEN_REUSED', 'This refresh token was already used: the session is revoked, log in again.');
  }
}

/** Logout and reuse response: revoke every token of the family. Idempotent. */
export async function revokeRefreshFamily(db: Database, familyId: string, nowIso: string): Promise<void> {
  await dynamo(() =>
    writeItem(db, { Update: {
        TableName: db.table,
        Key: keys.tokenFamily(familyId),
        UpdateExpression: 'SET revokedAt = if_not_exists(revokedAt, :now)',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeValues: { ':now': nowIso },
      } }),
    (error) => {
      if ((error as { name?: string }).name === 'ConditionalCheckFailedException') throw invalid();
    },
  );
}

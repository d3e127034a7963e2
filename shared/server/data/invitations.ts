import { createHash, randomBytes } from 'node:crypto';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { Conflict, Unprocessable } from '../../core/errors/index.js';
import type { Database } from './Database.js';
import { cancellationReasons, dynamo } from './dynamoErrors.js';
import { keys } from './keys.js';
import { type UserCredentialsItem, type UserProfileItem, userCreationItems } from './users.js';
import { transactWrite, writeItem } from './transactWrite.js';

/**
 * One-time guest invitations (docs/permissions.md, "Guests"). The code is 32 random bytes,
 * base64url; the table keeps only SHA-256 of it (`INVITE#<hex>`), so a leaked table
 * registers nobody. 256-bit random codes need no salt or slow hash.
 */
export interface InvitationItem {
  /** The member who invited. */
  invitedBy: string;
  createdAt: string;
  /** Epoch seconds: the table's TTL attribute, and checked by every use (TTL deletes late). Removed once used. */
  expiresAt?: number;
  /** Once used: the expiry it had (the item is kept as the record of who invited the guest). */
  validUntil?: number;
  note?: string;
  /** Set when a guest registers with it. */
  usedAt?: string;
  usedBy?: string;
}

const INVITATION_BYTES = 32;

/** A fresh code (give it to the guest; never store it) and its hash (store that). */
export function newInvitationCode(): { code: string; hash: string } {
  const code = randomBytes(INVITATION_BYTES).toString('base64url');
  return { code, hash: hashInvitationCode(code) };
}

/** Lower-case SHA-256 hex of the code string, as stored. */
export function hashInvitationCode(code: string): string {
  return createHash('sha256').update(code, 'ascii').digest('hex');
}

export const invalidInvitation = () =>
  new Unprocessable('INVALID_INVITATION', 'This invitation code is not valid: it may be mistyped, used or expired. Ask for a new one.');

/** Invite: store the hashed code. Guard: the hash is new (a collision of 256-bit codes is not expected). */
export async function createInvitation(db: Database, hash: string, invitation: InvitationItem): Promise<void> {
  await dynamo(() =>
    writeItem(db, { Put: {
        TableName: db.table,
        Item: { ...keys.invitation(hash), type: 'invitation', ...invitation },
        ConditionExpression: 'attribute_not_exists(pk)',
      } }),
  );
}

/**
 * Guest registration: the user's items and the invitation's use in ONE transaction.
 * Guards: the user id is new; the invitation exists, is unused and has not expired.
 * Of two registrations with one code, exactly one can succeed. Unknown, used and
 * expired codes all answer the same INVALID_INVITATION.
 */
export async function createGuestWithInvitation(
  db: Database,
  profile: UserProfileItem,
  credentials: UserCredentialsItem,
  codeHash: string,
  nowMs: number,
): Promise<void> {
  const userItems = userCreationItems(db, profile, credentials);
  await dynamo(
    () =>
      transactWrite(db, [
            ...userItems,
            {
              Update: {
                TableName: db.table,
                Key: keys.invitation(codeHash),
                // A used invitation stops expiring: the table keeps who invited each guest.
                UpdateExpression: 'SET usedAt = :now, usedBy = :user, validUntil = expiresAt REMOVE expiresAt',
                ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(usedAt) AND expiresAt > :nowSeconds',
                ExpressionAttributeValues: {
                  ':now': new Date(nowMs).toISOString(),
                  ':user': profile.userId,
                  ':nowSeconds': Math.floor(nowMs / 1000),
                },
              },
            },
          ]),
    (error) => {
      const reasons = cancellationReasons(error);
      if (!reasons) return;
      if (reasons[userItems.length]?.code === 'ConditionalCheckFailed') throw invalidInvitation();
      if (reasons.slice(0, userItems.length).some((r) => r.code === 'ConditionalCheckFailed')) {
        throw new Conflict('USER_EXISTS', 'This user id is taken: choose another.');
      }
      if (reasons.some((r) => r.code === 'TransactionConflict')) throw new Conflict('CONCURRENT_UPDATE', 'A concurrent change won: retry.');
    },
  );
}

import { createHash, randomBytes } from 'node:crypto';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { Conflict, Unprocessable } from '../../core/errors/index.js';
import type { Database } from './Database.js';
import { isNew, putItem, updateItem } from './itemBuilders.js';
import { keys } from './keys.js';
import { type UserCredentialsItem, type UserProfileItem, userCreationItems } from './users.js';
import { transact } from './transact.js';
import { copyOf } from './updateExpression.js';
import { writeGuarded } from './writeGuarded.js';

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
  await writeGuarded(db, putItem(db, { ...keys.invitation(hash), type: 'invitation', ...invitation }, { condition: isNew }));
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
  const use = updateItem<InvitationItem>(
    db,
    keys.invitation(codeHash),
    // A used invitation stops expiring: the table keeps who invited each guest.
    { set: { usedAt: new Date(nowMs).toISOString(), usedBy: profile.userId, validUntil: copyOf('expiresAt') }, remove: ['expiresAt'] },
    { condition: { expression: 'attribute_exists(pk) AND attribute_not_exists(usedAt) AND expiresAt > :nowSeconds', values: { ':nowSeconds': Math.floor(nowMs / 1000) } } },
  );
  // The user items declare USER_EXISTS; a bad invitation is the answer even when the id is taken too.
  await transact(db, [...userCreationItems(db, profile, credentials), use], {
    explain: (failed) => (failed.includes(use) ? invalidInvitation() : undefined),
    onConflict: () => new Conflict('CONCURRENT_UPDATE', 'A concurrent change won: retry.'),
  });
}

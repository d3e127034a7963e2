import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { batchGetAll } from './batchOperations.js';
import { Conflict, Unauthorized } from '../../core/errors/index.js';
import type { Database } from './Database.js';
import { dynamo } from './dynamoErrors.js';
import { exists, isNew, type PutItem, putItem, updateItem } from './itemBuilders.js';
import { keys } from './keys.js';
import { transact } from './transact.js';
import { writeGuarded } from './writeGuarded.js';

export interface UserProfileItem {
  userId: string;
  name: string;
  email?: string;
  designation?: string;
  kind: 'member' | 'guest';
  publicKey: string;
  fingerprint: string;
  createdAt: string;
}

export interface UserCredentialsItem {
  userId: string;
  kdf: { algorithm: 'argon2id'; memoryKiB: number; iterations: number; parallelism: number; salt: string };
  /** HMAC under the KMS MAC key of the client's auth key: useless without KMS. */
  verifier: string;
  /** The client-sealed private key, wrapped again under KMS with the user id as context. */
  privateKeyBlob: string;
  /**
   * Sessions started under an older epoch are over: every refresh token carries the epoch its
   * login read, and a refresh checks it against this (rotateRefreshToken). A passphrase change
   * moves it on, which ends every session of the user in the change's own write. Absent: 0.
   */
  sessionEpoch?: number;
  /** ISO instant of the last passphrase change. */
  passphraseChangedAt?: string;
}

/** What a passphrase change replaces: the new KDF parameters, verifier and private-key blob (the same key pair, sealed anew). */
export type NewCredentials = Pick<UserCredentialsItem, 'kdf' | 'verifier' | 'privateKeyBlob'>;

/** A profile change: `null` removes an optional field. */
export interface ProfileChanges {
  name?: string;
  email?: string | null;
  designation?: string | null;
}

const PROFILE_FIELDS = ['userId', 'name', 'email', 'designation', 'kind', 'publicKey', 'fingerprint', 'createdAt'] as const;

function toProfile(item: Record<string, unknown>): UserProfileItem {
  const out: Record<string, unknown> = {};
  for (const f of PROFILE_FIELDS) if (item[f] !== undefined) out[f] = item[f];
  return out as unknown as UserProfileItem;
}

/**
 * The writes that create a user, each guarded by "the user id is new"; also used by
 * guest registration (shared/server/data/invitations.ts), which adds the invitation to the same transaction.
 */
export function userCreationItems(db: Database, profile: UserProfileItem, credentials: UserCredentialsItem): PutItem[] {
  const taken = () => new Conflict('USER_EXISTS', 'This user id is taken: choose another.');
  return [
    putItem(db, { ...keys.userProfile(profile.userId), type: 'user', ...profile }, { condition: isNew, onConditionFail: taken }),
    putItem(db, { ...keys.userCredentials(profile.userId), type: 'credentials', ...credentials }, { condition: isNew, onConditionFail: taken }),
  ];
}

/** Register: profile and credentials together; guard: the user id is new. */
export async function createUser(db: Database, profile: UserProfileItem, credentials: UserCredentialsItem): Promise<void> {
  await transact(db, userCreationItems(db, profile, credentials));
}

/** One user's public profile, or undefined; `consistent` to read one's own write. */
export async function getProfile(db: Database, userId: string, options: { consistent?: boolean } = {}): Promise<UserProfileItem | undefined> {
  const out = await dynamo(() =>
    db.doc.send(new GetCommand({ TableName: db.table, Key: keys.userProfile(userId), ...(options.consistent && { ConsistentRead: true }) })),
  );
  return out.Item ? toProfile(out.Item) : undefined;
}

/** Login material; read only by the auth area. */
export async function getCredentials(db: Database, userId: string): Promise<UserCredentialsItem | undefined> {
  const out = await dynamo(() =>
    db.doc.send(new GetCommand({ TableName: db.table, Key: keys.userCredentials(userId), ConsistentRead: true })),
  );
  return out.Item as UserCredentialsItem | undefined;
}

/** Many profiles in one round trip per 100 ids. */
export async function getProfiles(db: Database, userIds: string[]): Promise<Map<string, UserProfileItem>> {
  const items = await batchGetAll(db, [...new Set(userIds)].map((id) => keys.userProfile(id)));
  return new Map(items.map((item) => [item.userId as string, toProfile(item)]));
}

/** Times a passphrase change is resent after a TransactionConflict (another write on the credentials at that instant). */
const CONFLICT_ATTEMPTS = 4;

/**
 * Passphrase change: the new KDF parameters, verifier and private-key blob, and the next session
 * epoch (every session of the user ends), in one conditional write. Guard: the verifier and epoch
 * are still those of `checked`, the credentials the caller just proved it knows, so of two
 * concurrent changes exactly one applies; the other is PASSPHRASE_CHANGED (409).
 */
export async function changeCredentials(db: Database, checked: UserCredentialsItem, next: NewCredentials, nowIso: string): Promise<void> {
  const epoch = checked.sessionEpoch ?? 0;
  const item = updateItem<UserCredentialsItem>(
    db,
    keys.userCredentials(checked.userId),
    { set: { kdf: next.kdf, verifier: next.verifier, privateKeyBlob: next.privateKeyBlob, sessionEpoch: epoch + 1, passphraseChangedAt: nowIso } },
    {
      condition: {
        expression: `verifier = :checked AND ${epoch === 0 ? '(attribute_not_exists(sessionEpoch) OR sessionEpoch = :epoch)' : 'sessionEpoch = :epoch'}`,
        values: { ':checked': checked.verifier, ':epoch': epoch },
      },
      onConditionFail: () => new Conflict('PASSPHRASE_CHANGED', 'The passphrase was changed meanwhile by another request: log in with the new passphrase.'),
    },
  );
  for (let attempt = 1; ; attempt++) {
    try {
      // Always a transaction: a TransactionConflict tells a write that held the item at that instant.
      await transact(db, [item], { onConflict: () => new LostRace() });
      return;
    } catch (error) {
      // Nothing applied: resend, and the guard decides.
      if (!(error instanceof LostRace)) throw error;
    }
    if (attempt >= CONFLICT_ATTEMPTS) throw new Conflict('CONCURRENT_UPDATE', 'The account changed at the same moment: retry.');
    await new Promise((resolve) => setTimeout(resolve, Math.random() * 20 * attempt));
  }
}

/** Another write held the credentials at that instant (never leaves this file). */
class LostRace extends Error {}

/** Profile change: set the given fields, remove those given as null; guard: the user exists. */
export async function updateProfile(db: Database, userId: string, changes: ProfileChanges): Promise<void> {
  if (Object.values(changes).every((v) => v === undefined)) throw new TypeError('updateProfile: nothing to change');
  const update = updateItem<UserProfileItem>(
    db,
    keys.userProfile(userId),
    {
      set: { name: changes.name, email: changes.email ?? undefined, designation: changes.designation ?? undefined },
      remove: (['email', 'designation'] as const).filter((field) => changes[field] === null),
    },
    { condition: exists, onConditionFail: () => new Unauthorized('UNKNOWN_USER', 'This account no longer exists: log in again.') },
  );
  await writeGuarded(db, update);
}

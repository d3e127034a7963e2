import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { batchGetAll } from './batchOperations.js';
import { Conflict, Unauthorized } from '../../core/errors/index.js';
import type { Database } from './Database.js';
import { cancellationReasons, dynamo } from './dynamoErrors.js';
import { keys } from './keys.js';
import { transactWrite, writeItem } from './transactWrite.js';

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
export function userCreationItems(db: Database, profile: UserProfileItem, credentials: UserCredentialsItem) {
  return [
    {
      Put: {
        TableName: db.table,
        Item: { ...keys.userProfile(profile.userId), type: 'user', ...profile },
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    },
    {
      Put: {
        TableName: db.table,
        Item: { ...keys.userCredentials(profile.userId), type: 'credentials', ...credentials },
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    },
  ];
}

/** Register: profile and credentials together; guard: the user id is new. */
export async function createUser(db: Database, profile: UserProfileItem, credentials: UserCredentialsItem): Promise<void> {
  await dynamo(
    () => transactWrite(db, userCreationItems(db, profile, credentials)),
    (error) => {
      if (cancellationReasons(error)?.some((r) => r.code === 'ConditionalCheckFailed')) {
        throw new Conflict('USER_EXISTS', 'This user id is taken: choose another.');
      }
    },
  );
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
  const item = {
    Update: {
      TableName: db.table,
      Key: keys.userCredentials(checked.userId),
      UpdateExpression: 'SET kdf = :kdf, verifier = :verifier, privateKeyBlob = :blob, sessionEpoch = :next, passphraseChangedAt = :now',
      ConditionExpression: `verifier = :checked AND ${epoch === 0 ? '(attribute_not_exists(sessionEpoch) OR sessionEpoch = :epoch)' : 'sessionEpoch = :epoch'}`,
      ExpressionAttributeValues: {
        ':kdf': next.kdf,
        ':verifier': next.verifier,
        ':blob': next.privateKeyBlob,
        ':next': epoch + 1,
        ':now': nowIso,
        ':checked': checked.verifier,
        ':epoch': epoch,
      },
    },
  };
  for (let attempt = 1; ; attempt++) {
    const outcome = await dynamo(
      async () => {
        try {
          await transactWrite(db, [item]);
          return 'applied' as const;
        } catch (error) {
          // Another write held the item at that instant: nothing applied; resend, and the guard decides.
          if (cancellationReasons(error)?.[0]?.code === 'TransactionConflict') return 'conflict' as const;
          throw error;
        }
      },
      (error) => {
        if (cancellationReasons(error)?.[0]?.code === 'ConditionalCheckFailed') {
          throw new Conflict('PASSPHRASE_CHANGED', 'The passphrase was changed meanwhile by another request: log in with the new passphrase.');
        }
      },
    );
    if (outcome === 'applied') return;
    if (attempt >= CONFLICT_ATTEMPTS) throw new Conflict('CONCURRENT_UPDATE', 'The account changed at the same moment: retry.');
    await new Promise((resolve) => setTimeout(resolve, Math.random() * 20 * attempt));
  }
}

/** Profile change: set the given fields, remove those given as null; guard: the user exists. */
export async function updateProfile(db: Database, userId: string, changes: ProfileChanges): Promise<void> {
  const set: string[] = [];
  const remove: string[] = [];
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = {};
  for (const field of ['name', 'email', 'designation'] as const) {
    const value = changes[field];
    if (value === undefined) continue;
    names[`#${field}`] = field;
    if (value === null) remove.push(`#${field}`);
    else {
      set.push(`#${field} = :${field}`);
      values[`:${field}`] = value;
    }
  }
  if (set.length + remove.length === 0) throw new TypeError('updateProfile: nothing to change');
  await dynamo(
    () =>
      writeItem(db, {
        Update: {
          TableName: db.table,
          Key: keys.userProfile(userId),
          UpdateExpression: [set.length ? `SET ${set.join(', ')}` : '', remove.length ? `REMOVE ${remove.join(', ')}` : ''].filter(Boolean).join(' '),
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeNames: names,
          ...(Object.keys(values).length ? { ExpressionAttributeValues: values } : {}),
        },
      }),
    (error) => {
      if ((error as { name?: string }).name === 'ConditionalCheckFailedException') {
        throw new Unauthorized('UNKNOWN_USER', 'This account no longer exists: log in again.');
      }
    },
  );
}

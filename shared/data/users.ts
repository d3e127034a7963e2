import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { batchGetAll } from './batchOperations.js';
import { Conflict } from '../errors/index.js';
import type { Database } from './Database.js';
import { cancellationReasons, dynamo } from './dynamoErrors.js';
import { keys } from './keys.js';
import { transactWrite } from './transactWrite.js';

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
}

const PROFILE_FIELDS = ['userId', 'name', 'email', 'designation', 'kind', 'publicKey', 'fingerprint', 'createdAt'] as const;

function toProfile(item: Record<string, unknown>): UserProfileItem {
  const out: Record<string, unknown> = {};
  for (const f of PROFILE_FIELDS) if (item[f] !== undefined) out[f] = item[f];
  return out as unknown as UserProfileItem;
}

/**
 * The writes that create a user, each guarded by "the user id is new"; also used by
 * guest registration (shared/data/invitations.ts), which adds the invitation to the same transaction.
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

/** One user's public profile, or undefined. */
export async function getProfile(db: Database, userId: string): Promise<UserProfileItem | undefined> {
  const out = await dynamo(() => db.doc.send(new GetCommand({ TableName: db.table, Key: keys.userProfile(userId) })));
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

import { Logger } from '@aws-lambda-powertools/logger';
import { KmsKeyService } from '../adapters/aws/KmsKeyService.js';
import { S3ObjectStore } from '../adapters/aws/S3ObjectStore.js';
import { LocalKeyringKeyService } from '../adapters/local/LocalKeyringKeyService.js';
import { AccessTokens } from '../auth/AccessTokens.js';
import { ServiceUnavailable } from '../../core/errors/index.js';
import type { KeyService } from '../ports/KeyService.js';
import type { ObjectStore } from '../ports/ObjectStore.js';
import { documentClient, kmsClient, s3Client } from './clients.js';
import { DEFAULT_SETTINGS, type Deps } from './Deps.js';

/** The ObjectStore of a function granted no bucket (users, auth): any use is a wiring fault. */
const objectStoreNotGranted: ObjectStore = new Proxy({} as ObjectStore, {
  get: () => () => Promise.reject(new ServiceUnavailable('This function is not configured to use the bucket.')),
});

function required(env: NodeJS.ProcessEnv, name: string): string {
  const value = env[name];
  if (!value) throw new Error(`Missing environment variable ${name}`);
  return value;
}

/** An optional setting: absent or empty gives undefined; anything but a positive integer refuses to start. */
function positiveInteger(env: NodeJS.ProcessEnv, name: string): number | undefined {
  const value = env[name];
  if (value === undefined || value === '') return undefined;
  if (!/^[1-9][0-9]*$/.test(value) || !Number.isSafeInteger(Number(value))) throw new Error(`${name} must be a positive integer, not ${JSON.stringify(value)}`);
  return Number(value);
}

/** A comma-separated list of user ids (COFFER_AUDITORS); absent or empty is none. */
export function userIdList(env: NodeJS.ProcessEnv, name: string): string[] {
  const ids = (env[name] ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  for (const id of ids) if (!/^[a-z0-9][a-z0-9._-]{1,63}$/.test(id)) throw new Error(`${name} must be comma-separated user ids, not ${JSON.stringify(id)}`);
  return ids;
}

/**
 * Wiring from the environment: AWS adapters on Lambda (`COFFER_KMS=aws`), the
 * keyring file and local endpoints under `npm start`. Chosen by configuration,
 * never by editing code.
 */
export async function depsFromEnv(env: NodeJS.ProcessEnv = process.env): Promise<Deps> {
  const endpoints = { dynamodb: env.DYNAMODB_ENDPOINT, s3: env.S3_ENDPOINT };
  const keys: KeyService =
    env.COFFER_KMS === 'local'
      ? await LocalKeyringKeyService.open(required(env, 'COFFER_KEYRING'))
      : new KmsKeyService({
          client: kmsClient(),
          signingKeyId: required(env, 'SIGNING_KEY_ID'),
          // Least privilege: each function gets only the key ids it is granted.
          macKeyId: env.MAC_KEY_ID || undefined,
          dataKeyId: env.DATA_KEY_ID || undefined,
          auditKeyId: env.AUDIT_KEY_ID || undefined,
        });
  return {
    db: { doc: documentClient(endpoints), table: required(env, 'TABLE_NAME') },
    objects: env.BUCKET_NAME ? new S3ObjectStore(s3Client(endpoints), env.BUCKET_NAME) : objectStoreNotGranted,
    keys,
    tokens: new AccessTokens({ keys }),
    logger: new Logger({ serviceName: env.POWERTOOLS_SERVICE_NAME ?? 'coffer' }),
    clock: () => Date.now(),
    settings: {
      ...DEFAULT_SETTINGS,
      allowWeakKdf: env.COFFER_ALLOW_WEAK_KDF === '1',
      linkMaxTtlSeconds: positiveInteger(env, 'COFFER_LINK_MAX_TTL_SECONDS') ?? DEFAULT_SETTINGS.linkMaxTtlSeconds,
      auditors: userIdList(env, 'COFFER_AUDITORS'),
    },
  };
}

let cached: Promise<Deps> | undefined;

/** One wiring per Lambda container; a failed wiring is retried on the next request. */
export function lambdaDeps(): Promise<Deps> {
  cached ??= depsFromEnv().catch((error: unknown) => {
    cached = undefined;
    throw error;
  });
  return cached;
}

import { Logger } from '@aws-lambda-powertools/logger';
import { S3ObjectStore } from '../../shared/server/adapters/aws/S3ObjectStore.js';
import { AccessTokens } from '../../shared/server/auth/AccessTokens.js';
import { documentClient, s3Client } from '../../shared/server/config/clients.js';
import { DEFAULT_SETTINGS, type Deps } from '../../shared/server/config/Deps.js';
import { ServiceUnavailable } from '../../shared/core/errors/index.js';
import type { KeyService } from '../../shared/server/ports/KeyService.js';

/** The cleanup is granted no KMS key at all (least privilege): any use is a wiring fault. */
const keysNotGranted: KeyService = new Proxy({} as KeyService, {
  get: () => () => {
    throw new ServiceUnavailable('The cleanup job is not configured to use KMS.');
  },
});

function required(env: NodeJS.ProcessEnv, name: string): string {
  const value = env[name];
  if (!value) throw new Error(`Missing environment variable ${name}`);
  return value;
}

/**
 * The cleanup job's wiring: the table and the documents bucket, nothing else. On Lambda the
 * names come from the environment its grants set (infra/constructs/CleanupJob.ts); `npm run
 * cleanup` passes the running local stack's endpoints the same way (DYNAMODB_ENDPOINT, S3_ENDPOINT).
 */
export function cleanupDepsFromEnv(env: NodeJS.ProcessEnv = process.env): Deps {
  const endpoints = { dynamodb: env.DYNAMODB_ENDPOINT, s3: env.S3_ENDPOINT };
  return {
    db: { doc: documentClient(endpoints), table: required(env, 'TABLE_NAME') },
    objects: new S3ObjectStore(s3Client(endpoints), required(env, 'BUCKET_NAME')),
    keys: keysNotGranted,
    tokens: new AccessTokens({ keys: keysNotGranted }),
    logger: new Logger({
      serviceName: env.POWERTOOLS_SERVICE_NAME ?? 'coffer',
      ...(env.POWERTOOLS_LOG_LEVEL ? { logLevel: env.POWERTOOLS_LOG_LEVEL as 'INFO' } : {}),
    }),
    clock: () => Date.now(),
    settings: DEFAULT_SETTINGS,
  };
}

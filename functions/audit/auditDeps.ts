import { KMSClient } from '@aws-sdk/client-kms';
import { Logger } from '@aws-lambda-powertools/logger';
import { KmsKeyService } from '../../shared/adapters/aws/KmsKeyService.js';
import type { CheckpointDeps } from '../../shared/audit/signCheckpoints.js';
import { documentClient } from '../../shared/config/clients.js';

function required(env: NodeJS.ProcessEnv, name: string): string {
  const value = env[name];
  if (!value) throw new Error(`Missing environment variable ${name}`);
  return value;
}

/**
 * The audit job's wiring: the table and the audit checkpoint key, nothing else (no token, MAC or
 * data key, no bucket). The names come from the environment its grants set
 * (infra/constructs/AuditJob.ts).
 */
export function auditDepsFromEnv(env: NodeJS.ProcessEnv = process.env): CheckpointDeps & { logger: Logger } {
  return {
    db: { doc: documentClient({ dynamodb: env.DYNAMODB_ENDPOINT }), table: required(env, 'TABLE_NAME') },
    keys: new KmsKeyService({ client: new KMSClient({}), auditKeyId: required(env, 'AUDIT_KEY_ID') }),
    clock: () => Date.now(),
    logger: new Logger({ serviceName: env.POWERTOOLS_SERVICE_NAME ?? 'coffer' }),
  };
}

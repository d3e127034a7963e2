import { Logger } from '@aws-lambda-powertools/logger';
import { KmsKeyService } from '../../shared/server/adapters/aws/KmsKeyService.js';
import { S3AuditArchive } from '../../shared/server/adapters/aws/S3AuditArchive.js';
import type { ArchiveDeps } from '../../shared/server/audit/archiveAuditLog.js';
import type { CheckpointDeps } from '../../shared/server/audit/signCheckpoints.js';
import { documentClient, kmsClient, s3Client } from '../../shared/server/config/clients.js';

function required(env: NodeJS.ProcessEnv, name: string): string {
  const value = env[name];
  if (!value) throw new Error(`Missing environment variable ${name}`);
  return value;
}

/**
 * The audit job's wiring: the table, the audit checkpoint key and, when `AUDIT_ARCHIVE_BUCKET`
 * is set (archiving on), the archive bucket; nothing else (no token, MAC or data key, no
 * documents bucket). The names come from the environment its grants set
 * (infra/constructs/AuditJob.ts).
 */
export function auditDepsFromEnv(env: NodeJS.ProcessEnv = process.env): CheckpointDeps & Partial<Pick<ArchiveDeps, 'archive'>> & { logger: Logger } {
  const archiveBucket = env.AUDIT_ARCHIVE_BUCKET;
  return {
    db: { doc: documentClient({ dynamodb: env.DYNAMODB_ENDPOINT }), table: required(env, 'TABLE_NAME') },
    keys: new KmsKeyService({ client: kmsClient(), auditKeyId: required(env, 'AUDIT_KEY_ID') }),
    ...(archiveBucket ? { archive: new S3AuditArchive(s3Client({ s3: env.S3_ENDPOINT }), archiveBucket) } : {}),
    clock: () => Date.now(),
    logger: new Logger({ serviceName: env.POWERTOOLS_SERVICE_NAME ?? 'coffer' }),
  };
}

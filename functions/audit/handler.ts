import type { Logger } from '@aws-lambda-powertools/logger';
import { type ArchiveDeps, type ArchiveRun, archiveAuditLog } from '../../shared/server/audit/archiveAuditLog.js';
import { type CheckpointDeps, signCheckpoints } from '../../shared/server/audit/signCheckpoints.js';
import type { CheckpointRun } from '../../shared/core/api/checkpointRun.js';
import { auditShards } from '../../shared/server/data/auditChain.js';
import { auditDepsFromEnv } from './auditDeps.js';
import { auditEntry } from './apiHandler.js';

/** The audit job's wiring: `archive` only where archiving is on (AUDIT_ARCHIVE_BUCKET, or the local stack's directory). */
export type AuditJobDeps = CheckpointDeps & Partial<Pick<ArchiveDeps, 'archive'>> & { logger: Pick<Logger, 'info' | 'error'> };

/** What one run did: the checkpoints, and the archive's part when archiving is on. */
export type AuditJobRun = CheckpointRun & { archive?: ArchiveRun };

/**
 * The audit job's core (docs/audit.md, "Signed checkpoints", "Archive"): sign every grown chain
 * head, then archive every chain that verified up to its latest checkpoint. A chain that does not
 * verify is neither signed nor archived and is logged as an error (its findings name positions
 * and kinds only, never event content).
 */
export function checkpointHandler(deps: () => AuditJobDeps): () => Promise<AuditJobRun> {
  return async () => {
    const d = deps();
    const run: AuditJobRun = await signCheckpoints(d);
    d.logger.info('audit checkpoints signed', { signed: run.signed });
    if (run.refused.length > 0) d.logger.error('audit chains do not verify: not signed', { refused: run.refused });
    if (d.archive) {
      const refused = new Set(run.refused.map((r) => r.shard));
      run.archive = await archiveAuditLog({ db: d.db, archive: d.archive }, { shards: auditShards.filter((s) => !refused.has(s)) });
      d.logger.info('audit events archived', { archived: run.archive.archived.map(({ shard, fromSeq, toSeq }) => ({ shard, fromSeq, toSeq })) });
      const mismatched = run.archive.stopped.filter((s) => s.reason === 'chainMismatch');
      if (mismatched.length > 0) d.logger.error('audit chains do not match their archive cursor: not archived', { stopped: mismatched });
    }
    return run;
  };
}

let cached: AuditJobDeps | undefined;

/** The EventBridge schedule's target, and the audit API area's (apiHandler.ts). One wiring per Lambda container. */
export const handler = auditEntry(checkpointHandler(() => (cached ??= auditDepsFromEnv())));

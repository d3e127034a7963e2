import type { Logger } from '@aws-lambda-powertools/logger';
import { type CheckpointDeps, type CheckpointRun, signCheckpoints } from '../../shared/audit/signCheckpoints.js';
import { auditDepsFromEnv } from './auditDeps.js';

type Logged = CheckpointDeps & { logger: Pick<Logger, 'info' | 'error'> };

/**
 * The audit job's core (docs/audit.md, "Signed checkpoints"): sign every grown chain head. A chain
 * that does not verify is left unsigned and logged as an error (its findings name positions and
 * kinds only, never event content).
 */
export function checkpointHandler(deps: () => Logged): () => Promise<CheckpointRun> {
  return async () => {
    const d = deps();
    const run = await signCheckpoints(d);
    d.logger.info('audit checkpoints signed', { signed: run.signed });
    if (run.refused.length > 0) d.logger.error('audit chains do not verify: not signed', { refused: run.refused });
    return run;
  };
}

let cached: Logged | undefined;

/** The EventBridge schedule's target. One wiring per Lambda container. */
export const handler = checkpointHandler(() => (cached ??= auditDepsFromEnv()));

import type { Context, ScheduledEvent } from 'aws-lambda';
import type { Deps } from '../../shared/server/config/Deps.js';
import { type CleanupReport, runCleanup } from '../../shared/server/services/cleanup/index.js';
import { cleanupDepsFromEnv } from './cleanupDeps.js';

/** Stop starting new pages when less than this is left of the invocation. */
const TIME_RESERVE_MS = 60_000;

export type CleanupHandler = (event?: Partial<ScheduledEvent>, context?: Partial<Context>) => Promise<CleanupReport>;

/**
 * The cleanup job's core, given its dependencies: one run, its report logged. The Lambda
 * handler below, `npm start`'s timer and `npm run cleanup` all run this same function.
 */
export function cleanupHandler(deps: () => Promise<Deps>): CleanupHandler {
  return async (_event, context) => {
    const d = await deps();
    const report = await runCleanup(d, {
      ...(context?.awsRequestId ? { runId: context.awsRequestId } : {}),
      ...(context?.getRemainingTimeInMillis ? { shouldContinue: () => context.getRemainingTimeInMillis!() > TIME_RESERVE_MS } : {}),
    });
    d.logger.info('cleanup finished', { report });
    return report;
  };
}

let cached: Deps | undefined;

/** The EventBridge schedule's target (`rate(1 hour)`). One wiring per Lambda container. */
export const handler = cleanupHandler(async () => (cached ??= cleanupDepsFromEnv()));

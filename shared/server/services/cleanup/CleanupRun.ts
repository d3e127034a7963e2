import type { Deps } from '../../config/Deps.js';
import type { AuditEvent } from '../../../core/api/auditEvent.js';

/** A cleanup action recorded in the audit trail (docs/links.md, "Audit events"; versions: docs/versions.md). */
export type CleanupAction = 'link.expire' | 'grant.expire' | 'upload.abandon' | 'delete.resume' | 'version.abandon' | 'version.prune';

/**
 * Seconds before a claimed entry (an abandoned upload being purged, a resumed delete) comes due
 * again if the run that claimed it dies half-way. Longer than the cleanup function's timeout
 * (infra/defaults.ts), so a live run is never raced by the next one.
 */
export const RETRY_AFTER_SECONDS = 15 * 60;

/**
 * Seconds a node may stay `deleting` before the cleanup treats its delete as interrupted. Far
 * longer than an API function's timeout, so a delete still running in its request is left alone.
 */
export const RESUME_AFTER_SECONDS = 5 * 60;

/** One run: its dependencies, its fixed instant, and the id its audit events share. */
export interface CleanupRun {
  readonly deps: Deps;
  /** The run's instant: the query bound and every guard use it. */
  readonly now: number;
  readonly nowIso: string;
  /** Correlates the run's audit events and log lines (the Lambda request id when there is one). */
  readonly runId: string;
}

/** An audit event of the system actor: ids only in `targets`, small non-secret `details`. */
export function systemEvent(
  run: CleanupRun,
  action: CleanupAction,
  targets: Record<string, string>,
  details?: Record<string, string | number | boolean>,
): AuditEvent {
  return {
    at: new Date(run.deps.clock()).toISOString(),
    actorId: '',
    actorKind: 'system',
    operation: action,
    category: 'cleanup',
    ...(targets.nodeId ? { resourceKind: 'node' as const, resourceId: targets.nodeId } : targets.linkId ? { resourceKind: 'link' as const, resourceId: targets.linkId } : {}),
    targets,
    outcome: 'success',
    status: 200,
    ...(details ? { details } : {}),
    requestId: run.runId,
    sourceIp: '',
  };
}

/** The instant a claimed entry comes due again. */
export function retryAt(run: CleanupRun): string {
  return new Date(run.now + RETRY_AFTER_SECONDS * 1000).toISOString();
}

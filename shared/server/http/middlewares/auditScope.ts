import { AuditScope } from '../../audit/requestAudit.js';
import { recordAudit } from '../../data/audit.js';
import { describe, requestBase } from '../auditRequest.js';
import { type AreaMiddleware, type AreaRequest, areaState } from './AreaRequest.js';

export interface AuditScopeOptions {
  /** Appends one event to the audit log (the data layer's, unless a test gives its own). */
  record?: typeof recordAudit;
}

const defaults: Required<AuditScopeOptions> = { record: recordAudit };

/**
 * The request's audit event (docs/audit.md, "One event per action"). Audited: routes with an
 * `audit` category, and every request of a guest (docs/permissions.md). Runs once the caller is
 * known, so a refused token is not audited and an invalid input is.
 *
 * - A change's event is written in the change's own transaction: the operation runs in the
 *   scope (runOperation.ts), and shared/server/data/transactWrite.ts takes the event from it.
 * - A request that wrote nothing (a download URL issued, a login) has its event recorded before
 *   its answer leaves; if that write fails the caller gets 503, never an unrecorded answer.
 * - A refused or failed request records its failure, with the error code as the reason, unless
 *   the operation already recorded that failure itself (a refused link open). If that write
 *   fails, its error is the answer (503).
 */
export function auditScope(opts: AuditScopeOptions = {}): AreaMiddleware {
  const { record } = { ...defaults, ...opts };

  const auditScopeBefore = (request: AreaRequest): void => {
    const state = areaState(request);
    const { route, caller, signedIn } = state;
    if (!route.audit && !(signedIn && caller.kind === 'guest')) return;
    state.audit = new AuditScope(requestBase(route, request.event, caller, signedIn), state.deps.clock);
  };

  const auditScopeAfter = async (request: AreaRequest): Promise<void> => {
    const state = request.context.coffer;
    const scope = state?.audit;
    if (!state || !scope) return;
    // The answer is known and the scope closes: should this write fail, that failure is not
    // recorded again as the request's (onError below finds no scope).
    state.audit = undefined;
    if (!scope.written) await record(state.deps.db, scope.event({ status: request.response?.statusCode ?? 200 }));
  };

  const auditScopeOnError = async (request: AreaRequest): Promise<void> => {
    const state = request.context.coffer;
    const scope = state?.audit;
    if (!state || !scope) return;
    state.audit = undefined;
    if (scope.written === 'failure') return;
    try {
      await record(state.deps.db, scope.event(describe({ error: request.error })));
    } catch (writeError) {
      // Not thrown: middy would skip the error response. The unrecorded failure answers instead.
      request.error = writeError;
    }
  };

  return { name: 'auditScope', before: auditScopeBefore, after: auditScopeAfter, onError: auditScopeOnError };
}

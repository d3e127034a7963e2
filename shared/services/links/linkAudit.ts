import type { AuditEvent } from '../../data/audit.js';
import type { Caller, RequestInfo } from '../../http/Operation.js';

/** Who acted on a link: a signed-in member or guest, or nobody ('anonymous'). */
export interface LinkActor {
  caller: Caller;
  signedIn: boolean;
  request: RequestInfo;
}

/**
 * One link event (`link.create`, `link.open`, `link.lock`, `link.revoke`): ids only in
 * `targets`, never the token, proof or verifier. `nodeId` is absent for an unknown link.
 */
export function linkEvent(
  actor: LinkActor,
  operation: string,
  at: number,
  targets: { linkId: string; nodeId?: string | undefined },
  outcome: { status: number; errorCode?: string; details?: AuditEvent['details'] },
): AuditEvent {
  return {
    at: new Date(at).toISOString(),
    actorId: actor.signedIn ? actor.caller.userId : '',
    actorKind: actor.signedIn ? actor.caller.kind : 'anonymous',
    operation,
    targets: { linkId: targets.linkId, ...(targets.nodeId ? { nodeId: targets.nodeId } : {}) },
    status: outcome.status,
    ...(outcome.errorCode ? { errorCode: outcome.errorCode } : {}),
    ...(outcome.details ? { details: outcome.details } : {}),
    requestId: actor.request.requestId,
    sourceIp: actor.request.sourceIp,
  };
}

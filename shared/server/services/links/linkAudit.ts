import { MAX_USER_AGENT_CHARS } from '../../audit/requestAudit.js';
import type { AuditEvent } from '../../../core/api/auditEvent.js';
import type { Caller, RequestInfo } from '../../http/Operation.js';

/** Who acted on a link: a signed-in member or guest, or the holder of the link (actor kind `link`). */
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
    // Someone not signed in acts by holding the link: the link is the actor.
    actorId: actor.signedIn ? actor.caller.userId : targets.linkId,
    actorKind: actor.signedIn ? (actor.caller.kind === 'guest' ? 'guest' : 'user') : 'link',
    operation,
    category: operation === 'link.open' ? 'access' : 'link',
    ...(targets.nodeId ? { resourceKind: 'node' as const, resourceId: targets.nodeId } : { resourceKind: 'link' as const, resourceId: targets.linkId }),
    targets: { linkId: targets.linkId, ...(targets.nodeId ? { nodeId: targets.nodeId } : {}) },
    outcome: outcome.status < 400 ? 'success' : 'failure',
    status: outcome.status,
    ...(outcome.errorCode ? { errorCode: outcome.errorCode } : {}),
    ...(outcome.details ? { details: outcome.details } : {}),
    requestId: actor.request.requestId,
    sourceIp: actor.request.sourceIp,
    userAgent: actor.request.userAgent.slice(0, MAX_USER_AGENT_CHARS),
  };
}

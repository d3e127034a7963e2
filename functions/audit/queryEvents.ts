import { operation } from '../../shared/server/http/Operation.js';
import { auditEventsQuery } from '../../shared/core/api/schemas/audit.js';
import { queryAuditLog } from '../../shared/server/services/audit/queryAuditLog.js';

/** One page of a resource's or an actor's events, oldest first (auditors; owners; yourself). */
export const queryEvents = operation({
  query: auditEventsQuery,
  async run({ query, caller, deps }) {
    const target = query.resource !== undefined ? { by: 'resource' as const, resourceId: query.resource, category: query.category } : { by: 'actor' as const, actorId: query.actor! };
    return { body: await queryAuditLog(deps, caller, target, query) };
  },
});

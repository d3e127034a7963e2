import { operation } from '../../shared/server/http/Operation.js';
import { auditExternalQuery } from '../../shared/core/api/schemas/audit.js';
import { queryAuditLog } from '../../shared/server/services/audit/queryAuditLog.js';

/** One page of the external-access report (guests' requests, link opens and locks), oldest first (auditors). */
export const queryExternal = operation({
  query: auditExternalQuery,
  async run({ query, caller, deps }) {
    return { body: await queryAuditLog(deps, caller, { by: 'external' }, query) };
  },
});

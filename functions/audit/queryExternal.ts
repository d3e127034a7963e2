import { operation } from '../../shared/http/Operation.js';
import { auditExternalQuery } from '../../shared/schemas/audit.js';
import { queryAuditLog } from '../../shared/services/audit/queryAuditLog.js';

/** One page of the external-access report (guests' requests, link opens and locks), oldest first (auditors). */
export const queryExternal = operation({
  query: auditExternalQuery,
  async run({ query, caller, deps }) {
    return { body: await queryAuditLog(deps, caller, { by: 'external' }, query) };
  },
});

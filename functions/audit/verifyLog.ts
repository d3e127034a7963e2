import { verifyAuditLog } from '../../shared/server/audit/verifyAuditLog.js';
import { operation } from '../../shared/server/http/Operation.js';
import { requireAuditor } from '../../shared/server/services/audit/queryAuditLog.js';

/** Verify the whole log (auditors): `{ ok, shards, findings }`, 200 whatever it found. */
export const verifyLog = operation({
  async run({ caller, deps }) {
    requireAuditor(deps, caller);
    return { body: await verifyAuditLog(deps) };
  },
});

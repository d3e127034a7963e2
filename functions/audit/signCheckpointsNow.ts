import { signCheckpoints } from '../../shared/server/audit/signCheckpoints.js';
import { operation } from '../../shared/server/http/Operation.js';
import { requireAuditor } from '../../shared/server/services/audit/queryAuditLog.js';

/** Sign a checkpoint of every grown chain now (auditors): `{ signed, refused }`, as the hourly job. */
export const signCheckpointsNow = operation({
  async run({ caller, deps }) {
    requireAuditor(deps, caller);
    return { body: await signCheckpoints(deps) };
  },
});

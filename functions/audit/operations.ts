import { queryEvents } from './queryEvents.js';
import { queryExternal } from './queryExternal.js';
import { signCheckpointsNow } from './signCheckpointsNow.js';
import { verifyLog } from './verifyLog.js';

/** The `audit` area's operations (shared/core/api/routes.ts), served by the audit job's function. */
export const operations = {
  queryEvents,
  queryExternal,
  verifyLog,
  signCheckpointsNow,
};

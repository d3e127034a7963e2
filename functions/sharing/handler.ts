import { lambdaDeps } from '../../shared/config/depsFromEnv.js';
import { areaHandler } from '../../shared/http/areaHandler.js';
import { pending } from '../pending.js';

export const operations = {
  shareNode: pending,
  revokeNode: pending,
  changeGrant: pending,
  listPermissions: pending,
  changeSettings: pending,
  transferOwnership: pending,
  moveNode: pending,
  renameNode: pending,
  checkAccess: pending,
};

export const handler = areaHandler('sharing', operations, lambdaDeps);

import { lambdaDeps } from '../../shared/config/depsFromEnv.js';
import { areaHandler } from '../../shared/http/areaHandler.js';
import { pending } from '../pending.js';
import { changeGrant } from './changeGrant.js';
import { changeSettings } from './changeSettings.js';
import { checkAccess } from './checkAccess.js';
import { getNode } from './getNode.js';
import { listPermissions } from './listPermissions.js';
import { revokeNode } from './revokeNode.js';
import { shareNode } from './shareNode.js';
import { transferOwnership } from './transferOwnership.js';

export const operations = {
  getNode,
  shareNode,
  revokeNode,
  changeGrant,
  listPermissions,
  changeSettings,
  transferOwnership,
  moveNode: pending,
  renameNode: pending,
  checkAccess,
};

export const handler = areaHandler('sharing', operations, lambdaDeps);

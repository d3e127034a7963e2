import { lambdaDeps } from '../../shared/server/config/depsFromEnv.js';
import { areaHandler } from '../../shared/server/http/areaHandler.js';
import { changeGrant } from './changeGrant.js';
import { changeSettings } from './changeSettings.js';
import { checkAccess } from './checkAccess.js';
import { getNode } from './getNode.js';
import { listPermissions } from './listPermissions.js';
import { moveNode } from './moveNode.js';
import { renameNode } from './renameNode.js';
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
  moveNode,
  renameNode,
  checkAccess,
};

export const handler = areaHandler('sharing', operations, lambdaDeps);

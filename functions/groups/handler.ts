import { lambdaDeps } from '../../shared/config/depsFromEnv.js';
import { areaHandler } from '../../shared/http/areaHandler.js';
import { pending } from '../pending.js';

export const operations = {
  createGroup: pending,
  listMyGroups: pending,
  getGroup: pending,
  renameGroup: pending,
  addMembers: pending,
  removeMembers: pending,
  changeMemberRole: pending,
  listGroupGrants: pending,
  rewrapGroupGrants: pending,
};

export const handler = areaHandler('groups', operations, lambdaDeps);

import { lambdaDeps } from '../../shared/server/config/depsFromEnv.js';
import { areaHandler } from '../../shared/server/http/areaHandler.js';
import { addMembers } from './addMembers.js';
import { changeMemberRole } from './changeMemberRole.js';
import { createGroup } from './createGroup.js';
import { getGroup } from './getGroup.js';
import { listGroupGrants } from './listGroupGrants.js';
import { listMyGroups } from './listMyGroups.js';
import { removeMembers } from './removeMembers.js';
import { renameGroup } from './renameGroup.js';
import { rewrapGroupGrants } from './rewrapGroupGrants.js';

export const operations = {
  createGroup,
  listMyGroups,
  getGroup,
  renameGroup,
  addMembers,
  removeMembers,
  changeMemberRole,
  listGroupGrants,
  rewrapGroupGrants,
};

export const handler = areaHandler('groups', operations, lambdaDeps);

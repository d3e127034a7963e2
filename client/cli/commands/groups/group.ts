import { commandGroup } from '../commandGroup.js';
import { groupAdd } from './groupAdd.js';
import { groupCreate } from './groupCreate.js';
import { groupLs } from './groupLs.js';
import { groupRemove } from './groupRemove.js';
import { groupRename } from './groupRename.js';
import { groupRewrap } from './groupRewrap.js';
import { groupRole } from './groupRole.js';
import { groupShow } from './groupShow.js';

/** `coffer group ...`: groups and their members. */
export const group = commandGroup(
  'group',
  'groups: create, list, show, add and remove members (keys are rotated here on removal)',
  [groupCreate, groupLs, groupShow, groupAdd, groupRemove, groupRename, groupRole, groupRewrap],
);

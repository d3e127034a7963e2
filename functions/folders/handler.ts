import { lambdaDeps } from '../../shared/server/config/depsFromEnv.js';
import { areaHandler } from '../../shared/server/http/areaHandler.js';
import { createFolder } from './createFolder.js';
import { deleteFolder } from './deleteFolder.js';
import { getFolder } from './getFolder.js';
import { limitFolder } from './limitFolder.js';
import { listChildren } from './listChildren.js';

export const operations = {
  createFolder,
  getFolder,
  listChildren,
  limitFolder,
  deleteFolder,
};

export const handler = areaHandler('folders', operations, lambdaDeps);

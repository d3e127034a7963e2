import { lambdaDeps } from '../../shared/config/depsFromEnv.js';
import { areaHandler } from '../../shared/http/areaHandler.js';
import { pending } from '../pending.js';

export const operations = {
  createFolder: pending,
  getFolder: pending,
  listChildren: pending,
  limitFolder: pending,
  deleteFolder: pending,
};

export const handler = areaHandler('folders', operations, lambdaDeps);

import { lambdaDeps } from '../../shared/server/config/depsFromEnv.js';
import { areaHandler } from '../../shared/server/http/areaHandler.js';
import { createLink } from './createLink.js';
import { listLinks } from './listLinks.js';
import { openLink } from './openLink.js';
import { revokeLink } from './revokeLink.js';

export const operations = {
  createLink,
  listLinks,
  revokeLink,
  openLink,
};

export const handler = areaHandler('links', operations, lambdaDeps);

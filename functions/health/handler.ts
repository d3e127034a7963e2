import { lambdaDeps } from '../../shared/server/config/depsFromEnv.js';
import { areaHandler } from '../../shared/server/http/areaHandler.js';
import { health } from './health.js';

export const operations = { health };

export const handler = areaHandler('health', operations, lambdaDeps);

import { lambdaDeps } from '../../shared/config/depsFromEnv.js';
import { areaHandler } from '../../shared/http/areaHandler.js';
import { health } from './health.js';

export const operations = { health };

export const handler = areaHandler('health', operations, lambdaDeps);

import { lambdaDeps } from '../../shared/config/depsFromEnv.js';
import { areaHandler } from '../../shared/http/areaHandler.js';
import { createInvitation } from './createInvitation.js';
import { lookupUsers } from './lookupUsers.js';
import { me } from './me.js';
import { register } from './register.js';

export const operations = { register, me, lookupUsers, createInvitation };

export const handler = areaHandler('users', operations, lambdaDeps);

import { lambdaDeps } from '../../shared/server/config/depsFromEnv.js';
import { areaHandler } from '../../shared/server/http/areaHandler.js';
import { changePassphrase } from './changePassphrase.js';
import { createInvitation } from './createInvitation.js';
import { lookupUsers } from './lookupUsers.js';
import { me } from './me.js';
import { register } from './register.js';
import { updateProfile } from './updateProfile.js';

export const operations = { register, me, lookupUsers, createInvitation, updateProfile, changePassphrase };

export const handler = areaHandler('users', operations, lambdaDeps);

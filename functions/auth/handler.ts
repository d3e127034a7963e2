import { lambdaDeps } from '../../shared/server/config/depsFromEnv.js';
import { areaHandler } from '../../shared/server/http/areaHandler.js';
import { logout } from './logout.js';
import { prelogin } from './prelogin.js';
import { refresh } from './refresh.js';
import { sessionLogout } from './sessionLogout.js';
import { sessionRefresh } from './sessionRefresh.js';
import { token } from './token.js';

export const operations = { prelogin, token, refresh, logout, sessionRefresh, sessionLogout };

export const handler = areaHandler('auth', operations, lambdaDeps);

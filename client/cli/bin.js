#!/usr/bin/env node
// The `coffer` executable: registers the tsx loader in this process, then runs main.ts.
// Resolved from this file, so `npx coffer` works from any directory of the repository.
// On Linux it first re-executes itself once with the allocator tuning of launcherEnv.js.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { isTuned, MALLOC_TUNING } from './launcherEnv.js';

if (process.platform === 'linux' && !isTuned()) {
  const result = spawnSync(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), ...process.argv.slice(2)], {
    stdio: 'inherit',
    env: { ...process.env, ...MALLOC_TUNING },
  });
  process.exit(result.status ?? (result.signal === 'SIGINT' ? 130 : 1));
}

const { register } = await import('tsx/esm/api');
register();
await import('./main.ts');

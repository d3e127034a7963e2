#!/usr/bin/env node
// The `coffer` executable. Resolved from this file, so `npx coffer` works from any directory of
// the repository. On Linux it first re-executes itself once with the process tuning of
// launcherEnv.js (glibc malloc, V8 young generation, GC pacing, wasm tiering). Then it runs the
// CLI from a cached esbuild bundle of main.ts (cliBundle.js: tsx would add ~70 MiB of resident
// memory), or through tsx when no bundle can be built (or with COFFER_CLI_TSX=1).
import { spawnSync } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { isTuned, MALLOC_TUNING, nodeTuning } from './launcherEnv.js';

if (process.platform === 'linux' && !isTuned()) {
  const result = spawnSync(process.execPath, [...nodeTuning(process.argv.slice(2)), ...process.execArgv, fileURLToPath(import.meta.url), ...process.argv.slice(2)], {
    stdio: 'inherit',
    env: { ...process.env, ...MALLOC_TUNING },
  });
  process.exit(result.status ?? (result.signal === 'SIGINT' ? 130 : 1));
}

let bundle;
if (process.env.COFFER_CLI_TSX !== '1') {
  try {
    const { cliBundle } = await import('./cliBundle.js');
    bundle = await cliBundle();
  } catch {
    bundle = undefined; // no esbuild, or a read-only checkout: tsx below
  }
}
if (bundle) {
  await import(pathToFileURL(bundle).href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('./main.ts');
}

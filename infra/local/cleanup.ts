import { resolve } from 'node:path';
import { LOCAL_DEFAULTS } from './defaults.js';
import { LocalStackNotRunning } from './localStackFile.js';
import { formatReport, runLocalCleanup } from './runLocalCleanup.js';

/**
 * `npm run cleanup`: runs the cleanup job once against the running `npm start`, then prints
 * its report, one line per count.
 *   COFFER_DATA_DIR  the data directory `npm start` uses (default ./.coffer-data)
 */
async function main(): Promise<void> {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const dataDir = resolve(process.env.COFFER_DATA_DIR ?? LOCAL_DEFAULTS.dataDir);
  const report = await runLocalCleanup(dataDir);
  for (const line of formatReport(report)) console.log(line);
  if (report.failed > 0) process.exitCode = 1;
}

main().catch((error: unknown) => {
  // LocalStackNotRunning carries the fix (start `npm start`); anything else is shown as is.
  console.error(error instanceof LocalStackNotRunning ? error.message : error instanceof Error ? `cleanup failed: ${error.message}` : String(error));
  process.exit(1);
});

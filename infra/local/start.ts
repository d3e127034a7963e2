import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { userIdList } from '../../shared/server/config/depsFromEnv.js';
import { cleanupIntervalFromEnv } from './cleanupTimer.js';
import { LOCAL_DEFAULTS } from './defaults.js';
import { startLocalStack } from './startLocalStack.js';

/**
 * `npm start`: the local stack with embedded defaults.
 *   COFFER_DATA_DIR  where data persists (default ./.coffer-data); COFFER_IN_MEMORY=1 keeps nothing
 *   PORT             HTTP port on 127.0.0.1 (default 8787)
 *   COFFER_CORS_ORIGINS  comma-separated browser origins allowed by CORS
 *   COFFER_CLEANUP_INTERVAL_SECONDS  how often the cleanup job runs (default 3600; `npm run cleanup` runs it now)
 *   COFFER_AUDITORS  comma-separated user ids who may query, verify and checkpoint the audit log
 * The web app is served from dist/web when it has been built (`npm start` builds it first).
 */
const WEB_ROOT = resolve(import.meta.dirname, '../../dist/web');

async function main(): Promise<void> {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const inMemory = process.env.COFFER_IN_MEMORY === '1';
  const dataDir = process.env.COFFER_DATA_DIR ?? LOCAL_DEFAULTS.dataDir;
  const corsOrigins = process.env.COFFER_CORS_ORIGINS?.split(',').map((s) => s.trim()).filter(Boolean);
  const cleanupIntervalSeconds = cleanupIntervalFromEnv(process.env.COFFER_CLEANUP_INTERVAL_SECONDS);
  const stack = await startLocalStack({
    inMemory,
    dataDir,
    port: process.env.PORT ? Number(process.env.PORT) : LOCAL_DEFAULTS.port,
    ...(corsOrigins ? { corsOrigins } : {}),
    settings: { allowWeakKdf: process.env.COFFER_ALLOW_WEAK_KDF === '1', auditors: userIdList(process.env, 'COFFER_AUDITORS') },
    cleanupIntervalSeconds,
    ...(existsSync(join(WEB_ROOT, 'index.html')) ? { webRoot: WEB_ROOT } : {}),
  });
  console.log(`Coffer is running at ${stack.url}  (data: ${inMemory ? 'in memory' : dataDir})`);
  console.log(`  web app: ${stack.url}/  (link URLs the CLI prints open here)`);
  console.log(`  try: curl ${stack.url}/health`);
  console.log(`  CLI: export COFFER_URL=${stack.url}; npx coffer register --user alice --name Alice`);
  console.log(`  cleanup: every ${cleanupIntervalSeconds} s${inMemory ? '' : ', or now with: npm run cleanup'}`);
  let stopping = false;
  const shutdown = async () => {
    if (stopping) return;
    stopping = true;
    console.log('Stopping Coffer...');
    await stack.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown());
  process.on('SIGTERM', () => void shutdown());
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
});

import { defineConfig } from 'vitest/config';

/**
 * Four projects: `unit` (no Java, seconds: `npm run test:unit`), `infra` (CDK synth),
 * `integration` (the real local stack on one shared DynamoDB Local, a table per file) and `web`
 * (the built web app in headless Chromium over the local stack).
 * Timeouts are tight on purpose: a test or hook that becomes several times slower fails instead of
 * passing quietly; the few long ones say so with their own timeout.
 */
export default defineConfig({
  test: {
    environment: 'node',
    pool: 'forks',
    // Integration files mostly wait on DynamoDB Local and HTTP: more files than cores in flight.
    maxWorkers: 4,
    // A bigger young generation: fewer scavenges in these allocation-heavy workers (about 7% less CPU).
    execArgv: ['--max-semi-space-size=32'],
    testTimeout: 15_000,
    hookTimeout: 30_000,
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', DDB_LOCAL_TELEMETRY: '0' },
    projects: [
      { extends: true, test: { name: 'unit', include: ['test/unit/**/*.test.ts'], setupFiles: ['test/helpers/keyPool/useKeyPool.ts'] } },
      { extends: true, test: { name: 'infra', include: ['test/infra/**/*.test.ts'] } },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          globalSetup: ['test/helpers/sharedDynamo.ts'],
          setupFiles: ['test/helpers/keyPool/useKeyPool.ts'],
        },
      },
      {
        extends: true,
        test: {
          name: 'web',
          // While .ci/run still installs Chromium in the background (COFFER_CHROMIUM_PENDING), a web
          // file that starts early waits in browser.ts; the other files keep the cores busy meanwhile.
          ...(process.env.COFFER_CHROMIUM_PENDING && { hookTimeout: 300_000 }),
          include: ['test/web/**/*.test.ts'],
          // The web app is built once (vite), and each file drives one headless Chromium over its own local stack.
          globalSetup: ['test/helpers/sharedDynamo.ts', 'test/web/buildWebApp.ts'],
          setupFiles: ['test/helpers/keyPool/useKeyPool.ts'],
        },
      },
    ],
  },
});

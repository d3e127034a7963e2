import { fileURLToPath } from 'node:url';
import { App } from 'aws-cdk-lib';
import { buildCoffer } from './CofferApp.js';

/**
 * CDK entry point (`cdk.json` → `npx tsx infra/app.ts`). The account and region
 * come from the CLI's credentials (CDK_DEFAULT_*); without credentials, as in an
 * offline `npm run synth`, a placeholder environment keeps synthesis working. The web app is
 * deployed from dist/web, which cdk.json's `app` command builds (`npm run build:web`) before this
 * runs, so a deploy never ships a stale build.
 */
const app = new App();
buildCoffer(app, {
  account: process.env.CDK_DEFAULT_ACCOUNT ?? '000000000000',
  region: process.env.CDK_DEFAULT_REGION ?? 'eu-west-1',
}, { webRoot: fileURLToPath(new URL('../dist/web', import.meta.url)) });

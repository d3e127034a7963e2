import { type App, type Environment, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { type CofferConfig, configFromContext } from './config.js';
import { ApiStack } from './stacks/ApiStack.js';
import { DataStack } from './stacks/DataStack.js';
import { WebStack } from './stacks/WebStack.js';

export interface CofferStacks {
  readonly config: CofferConfig;
  readonly data: DataStack;
  readonly api: ApiStack;
  readonly web: WebStack;
}

export interface CofferBuildOptions {
  /** The built web app (`npm run build:web` writes dist/web); the infra tests pass a small fixture. */
  readonly webRoot: string;
}

/** Stack names of a stage, for the CLI (`npx cdk deploy Coffer-dev-Data Coffer-dev-Api Coffer-dev-Web`). */
export function stackNames(stage: string): { data: string; api: string; web: string } {
  return { data: `Coffer-${stage}-Data`, api: `Coffer-${stage}-Api`, web: `Coffer-${stage}-Web` };
}

/**
 * Builds the whole application into `app`: configuration from context, the
 * stateful data stack, the stateless API stack, the web stack (the app and the API behind one
 * CloudFront distribution), and cdk-nag's AwsSolutions pack,
 * whose unacknowledged findings fail synthesis. `infra/app.ts` and the infra
 * tests both build through here, so tests check exactly what deploys.
 */
export function buildCoffer(app: App, env: Required<Pick<Environment, 'account' | 'region'>>, options: CofferBuildOptions): CofferStacks {
  const config = configFromContext(app.node);
  const names = stackNames(config.stage);
  const tags = { project: 'coffer', stage: config.stage };

  const data = new DataStack(app, names.data, {
    stackName: names.data,
    description: 'Coffer stateful resources: table, documents bucket, KMS keys (retained on delete)',
    env,
    tags,
    terminationProtection: true,
    config,
  });
  const api = new ApiStack(app, names.api, {
    stackName: names.api,
    description: 'Coffer stateless API: HTTP API, one Lambda per area, and the hourly cleanup job',
    env,
    tags,
    config,
    keys: data.keys,
    table: data.table,
    documentsBucket: data.documentsBucket,
    ...(data.auditArchiveBucket ? { auditArchiveBucket: data.auditArchiveBucket } : {}),
  });
  api.addStackDependency(data);
  const web = new WebStack(app, names.web, {
    stackName: names.web,
    description: 'Coffer web app: CloudFront in front of the app bucket and the HTTP API, one origin for both',
    env,
    tags,
    config,
    api: api.api,
    documentsBucket: data.documentsBucket,
    webRoot: options.webRoot,
  });
  web.addStackDependency(api);

  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { config, data, api, web };
}

import { fileURLToPath } from 'node:url';
import { type Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Tracing } from 'aws-cdk-lib/aws-lambda';
import { LogLevel, NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import type { Area } from '../../shared/core/api/routes.js';
import type { CofferConfig } from '../config.js';
import { DEFAULTS } from '../defaults.js';

/** The repository root: esbuild's project root and the base of every handler path. */
export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Middy and friends are ESM-only, and some dependencies still call `require`: give them one. */
const ESM_REQUIRE_BANNER =
  "import { createRequire as __cofferCreateRequire } from 'node:module'; const require = __cofferCreateRequire(import.meta.url);";

/** A function that is not behind the API: a scheduled job. Its code is `functions/<job>/handler.ts`. */
export type Job = 'cleanup' | 'audit';

/** What the function runs: an API area or a job; the code is `functions/<area or job>/handler.ts`, export `handler`. */
export type CofferFunctionCode = { readonly area: Area; readonly job?: never } | { readonly job: Job; readonly area?: never };

export type CofferFunctionProps = CofferFunctionCode & {
  readonly config: CofferConfig;
  readonly memorySize?: number;
  readonly timeout?: Duration;
  /** A fixed role name, for a role that another stack's policy names (the audit job). Default: generated. */
  readonly roleName?: string;
};

/**
 * The house Lambda function: one per API area (and one per job), with every default decided here
 * (runtime, arm64, ESM bundle with the local esbuild, a log group with retention,
 * a role that can write only to that log group).
 *
 * Permissions and the environment variables naming resources are added only
 * through the helpers in `grants.ts`, which set both together.
 */
export class CofferFunction extends NodejsFunction {
  /** The API area it serves; undefined for a job. */
  readonly area: Area | undefined;
  readonly job: Job | undefined;
  readonly #bound = new Map<string, string>();

  constructor(scope: Construct, id: string, props: CofferFunctionProps) {
    const { config } = props;
    const defaults = DEFAULTS.function;
    const code = props.area ?? props.job;

    const logGroup = new LogGroup(scope, `${id}Logs`, {
      retention: defaults.logRetention,
      // Function logs are operational; the audit trail is the API access log.
      removalPolicy: RemovalPolicy.DESTROY,
    });
    // An explicit role instead of the AWSLambdaBasicExecutionRole managed policy,
    // which may write to any log group in the account.
    const role = new Role(scope, `${id}Role`, {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      ...(props.roleName === undefined ? {} : { roleName: props.roleName }),
      description: props.area ? `Coffer ${props.area} API function` : `Coffer ${props.job} job function`,
    });
    logGroup.grantWrite(role);

    super(scope, id, {
      description: props.area ? functionDescription(props.area) : jobDescription(props.job),
      entry: `${REPO_ROOT}functions/${code}/handler.ts`,
      handler: 'handler',
      projectRoot: REPO_ROOT,
      depsLockFilePath: `${REPO_ROOT}package-lock.json`,
      runtime: defaults.runtime,
      architecture: defaults.architecture,
      memorySize: props.memorySize ?? defaults.memorySize,
      timeout: props.timeout ?? defaults.timeout,
      role,
      logGroup,
      tracing: config.tracing ? Tracing.ACTIVE : Tracing.DISABLED,
      // API functions choose the KMS adapter and answer CORS; a job uses neither.
      environment: props.area
        ? {
            COFFER_KMS: 'aws',
            POWERTOOLS_SERVICE_NAME: 'coffer',
            LOG_LEVEL: config.logLevel,
            CORS_ORIGINS: config.corsOrigins.join(','),
            NODE_OPTIONS: '--enable-source-maps',
          }
        : { POWERTOOLS_SERVICE_NAME: 'coffer', LOG_LEVEL: config.logLevel, NODE_OPTIONS: '--enable-source-maps' },
      bundling: {
        format: OutputFormat.ESM,
        target: defaults.esbuildTarget,
        mainFields: ['module', 'main'],
        banner: ESM_REQUIRE_BANNER,
        minify: true,
        sourceMap: true,
        sourcesContent: false,
        // Bundle everything, the AWS SDK included: the deployed code runs the exact
        // (pinned, tested) SDK versions rather than whatever the runtime ships.
        externalModules: [],
        forceDockerBundling: false,
        logLevel: LogLevel.WARNING,
      },
    });
    this.area = props.area;
    this.job = props.job;
    if (config.tracing) {
      Validations.of(role).acknowledge({
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason: 'X-Ray PutTraceSegments and PutTelemetryRecords do not support resource-level permissions.',
      });
    }
  }

  /**
   * Sets an environment variable that names a resource. Binding one name to two
   * different values is a wiring bug, so it throws instead of silently overwriting.
   * Use the helpers in `grants.ts`, which call this together with the IAM grant.
   */
  bindEnvironment(name: string, value: string): void {
    const previous = this.#bound.get(name);
    if (previous !== undefined && previous !== value) {
      throw new Error(`${this.node.path}: ${name} is already bound to another resource`);
    }
    this.#bound.set(name, value);
    this.addEnvironment(name, value);
  }
}

/** The function's description; tests find an area's function by it. */
export function functionDescription(area: Area): string {
  return `Coffer API: ${area}`;
}

/** A job function's description; tests find it by this. */
export function jobDescription(job: Job): string {
  return `Coffer job: ${job}`;
}

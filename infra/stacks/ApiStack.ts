import { CfnOutput, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import {
  CorsHttpMethod,
  HttpApi,
  HttpMethod,
  type HttpStage,
  LogGroupLogDestination,
} from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';
import { AREAS, type Area, type FunctionArea, ROUTES, type Route } from '../../shared/core/api/routes.js';
import type { CofferConfig } from '../config.js';
import { AuditJob } from '../constructs/AuditJob.js';
import { CleanupJob } from '../constructs/CleanupJob.js';
import { CofferFunction } from '../constructs/CofferFunction.js';
import {
  grantDecryptWithContext,
  grantAuditAppend,
  grantEncryptWithContext,
  grantMac,
  grantPresign,
  grantPresignRead,
  grantSign,
  grantTableReadWrite,
  grantVerify,
} from '../constructs/grants.js';
import { DEFAULTS } from '../defaults.js';
import type { CofferKeys } from './DataStack.js';

export interface ApiStackProps extends StackProps {
  readonly config: CofferConfig;
  readonly keys: CofferKeys;
  readonly table: ITableV2;
  readonly documentsBucket: IBucket;
  /** The audit archive (Object Lock); absent when `coffer:auditArchive` is false. */
  readonly auditArchiveBucket?: IBucket;
}

/** Environment variables carrying settings (not resources), read by shared/server/config/depsFromEnv.ts. */
export const SETTINGS_ENV = { linkMaxTtlSeconds: 'COFFER_LINK_MAX_TTL_SECONDS', auditors: 'COFFER_AUDITORS' } as const;

/**
 * Stateless: one Lambda per area and one HTTP API route per entry of the shared
 * route table. Bearer tokens are verified inside the functions (ES256 against the
 * KMS public key), so the API has no authorizer. The cleanup job lives here too:
 * like the API it only uses the data stack's table and bucket.
 */
export class ApiStack extends Stack {
  readonly api: HttpApi;
  readonly stage: HttpStage;
  readonly functions: Readonly<Record<FunctionArea, CofferFunction>>;
  readonly cleanup: CleanupJob;
  readonly audit: AuditJob;

  constructor(scope: Construct, id: string, props: ApiStackProps) {
    super(scope, id, props);
    const { config, keys, table, documentsBucket } = props;

    const functions = Object.fromEntries(
      AREAS.map((area) => [area, new CofferFunction(this, `${pascal(area)}Function`, { area, config })]),
    ) as Record<FunctionArea, CofferFunction>;
    this.functions = functions;

    // Least privilege per area. Only `auth` may sign tokens or open data-key blobs.
    // health: nothing.
    const { users, auth, documents, folders, sharing, groups, links } = functions;
    grantTableReadWrite(users, table);
    grantMac(users, keys.macKey);
    grantEncryptWithContext(users, keys.dataKey);
    grantVerify(users, keys.signingKey);

    grantTableReadWrite(auth, table);
    grantSign(auth, keys.signingKey);
    grantMac(auth, keys.macKey);
    grantDecryptWithContext(auth, keys.dataKey);

    grantTableReadWrite(documents, table);
    grantPresign(documents, documentsBucket, keys.storageKey);
    grantVerify(documents, keys.signingKey);

    // folders: a recursive delete removes the documents' objects too.
    grantTableReadWrite(folders, table);
    grantPresign(folders, documentsBucket, keys.storageKey);
    grantVerify(folders, keys.signingKey);

    for (const fn of [sharing, groups]) {
      grantTableReadWrite(fn, table);
      grantVerify(fn, keys.signingKey);
    }

    // links: presigned GETs only (a link never uploads), MACs of password verifiers, and an
    // optional bearer token on `openLink`.
    grantTableReadWrite(links, table);
    grantPresignRead(links, documentsBucket, keys.storageKey);
    grantMac(links, keys.macKey);
    grantVerify(links, keys.signingKey);
    links.addEnvironment(SETTINGS_ENV.linkMaxTtlSeconds, String(config.linkMaxTtlDays * 24 * 3600));

    this.cleanup = new CleanupJob(this, 'Cleanup', { config, table, documentsBucket });
    // The only principal that may sign audit checkpoints (docs/audit.md).
    this.audit = new AuditJob(this, 'Audit', {
      config,
      table,
      auditKey: keys.auditKey,
      ...(props.auditArchiveBucket ? { archiveBucket: props.auditArchiveBucket } : {}),
    });
    // It also serves the `audit` API area (functions/audit/apiHandler.ts): bearer tokens, the
    // auditors, and its own request events (the chain head's update, audit partitions only).
    grantVerify(this.audit.function, keys.signingKey);
    grantAuditAppend(this.audit.function, table);
    this.audit.function.addEnvironment(SETTINGS_ENV.auditors, config.auditors.join(','));

    this.api = new HttpApi(this, 'Api', {
      apiName: `coffer-${config.stage}`,
      description: 'Coffer zero-knowledge document sharing API',
      createDefaultStage: false,
      corsPreflight: apiCors(config.corsOrigins),
    });

    const accessLogs = new LogGroup(this, 'AccessLogs', {
      retention: DEFAULTS.api.accessLogRetention,
      removalPolicy: DEFAULTS.dataRemovalPolicy,
    });
    this.stage = this.api.addStage('DefaultStage', {
      stageName: '$default',
      autoDeploy: true,
      throttle: DEFAULTS.api.throttle,
      accessLogSettings: { destination: new LogGroupLogDestination(accessLogs), format: ACCESS_LOG_FORMAT },
    });

    const integrations = {
      ...Object.fromEntries(AREAS.map((area) => [area, new HttpLambdaIntegration(`${pascal(area)}Integration`, functions[area])])),
      audit: new HttpLambdaIntegration('AuditIntegration', this.audit.function),
    } as Record<Area, HttpLambdaIntegration>;
    for (const route of ROUTES) {
      const httpRoutes = this.api.addRoutes({
        path: route.path,
        methods: [HttpMethod[route.method]],
        integration: integrations[route.area],
      });
      for (const httpRoute of httpRoutes) {
        Validations.of(httpRoute).acknowledge({ id: 'AwsSolutions-APIG4', reason: authReason(route) });
      }
    }

    // The web stack's AppUrl is the one to use: links made through this URL would name execute-api.
    new CfnOutput(this, 'ApiUrl', { value: this.stage.url, description: 'The HTTP API directly (execute-api); clients use the web stack\'s AppUrl' });
  }
}

/** One JSON line per request. No headers, no query strings: tokens and ids never reach the logs. */
const ACCESS_LOG_FORMAT = AccessLogFormat.custom(
  JSON.stringify({
    requestId: '$context.requestId',
    requestTime: '$context.requestTime',
    sourceIp: '$context.identity.sourceIp',
    userAgent: '$context.identity.userAgent',
    routeKey: '$context.routeKey',
    status: '$context.status',
    protocol: '$context.protocol',
    responseLength: '$context.responseLength',
    responseLatency: '$context.responseLatency',
    integrationLatency: '$context.integrationLatency',
    integrationError: '$context.integrationErrorMessage',
  }),
);

function apiCors(origins: readonly string[]) {
  if (origins.length === 0) return undefined;
  const methods = [...new Set(ROUTES.map((r) => r.method))];
  return {
    allowOrigins: [...origins],
    allowMethods: methods.map((m) => CorsHttpMethod[m]),
    // Never credentials nor X-Coffer-CSRF: the web app's cookie session is same-origin only
    // (shared/server/auth/requireSameSiteRequest.ts). Its Cookie and Set-Cookie need no setting
    // here: payload 2.0 hands the Lambda `event.cookies` and sends the result's `cookies`.
    allowHeaders: ['authorization', 'content-type'],
    allowCredentials: false,
    maxAge: DEFAULTS.api.corsMaxAge,
  };
}

function authReason(route: Route): string {
  switch (route.auth) {
    case 'bearer':
      return `${route.operation}: the bearer ES256 access token is verified inside the Lambda against the KMS signing public key (shared/server/http/middlewares/authenticate.ts), not by an API Gateway authorizer.`;
    case 'optional':
      return `${route.operation}: public; authenticates when a bearer token is sent (verified inside the Lambda as on bearer routes, a bad token is 401). A share link is opened by anyone holding its token (docs/links.md).`;
    case 'public':
      return `${route.operation}: public by design in shared/core/api/routes.ts (it is how a client registers, logs in or checks liveness before it has a token).`;
  }
}

function pascal(area: Area): string {
  return area.charAt(0).toUpperCase() + area.slice(1);
}

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { BOOTSTRAP_QUALIFIER_CONTEXT, CfnOutput, DefaultStackSynthesizer, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import type { IHttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import { Certificate } from 'aws-cdk-lib/aws-certificatemanager';
import type { IRole } from 'aws-cdk-lib/aws-iam';
import {
  AllowedMethods,
  type BehaviorOptions,
  CachePolicy,
  Distribution,
  Function as CloudFrontFunction,
  FunctionCode,
  FunctionEventType,
  FunctionRuntime,
  HttpVersion,
  OriginProtocolPolicy,
  OriginRequestPolicy,
  OriginSslPolicy,
  ResponseHeadersPolicy,
  ViewerProtocolPolicy,
} from 'aws-cdk-lib/aws-cloudfront';
import { HttpOrigin, S3BucketOrigin } from 'aws-cdk-lib/aws-cloudfront-origins';
import { Bucket, BucketEncryption, type IBucket, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import { BucketDeployment, CacheControl, type ISource, Source } from 'aws-cdk-lib/aws-s3-deployment';
import type { Construct, IConstruct } from 'constructs';
import { ROUTES } from '../../shared/core/api/routes.js';
import { webAppHeaders } from '../../shared/server/web/webAppHeaders.js';
import { WEB_APP_CACHE_CONTROL, WEB_APP_PAGE_FILE } from '../../shared/server/web/webAppPaths.js';
import { CONTEXT_KEYS, type CofferConfig } from '../config.js';
import { acknowledgeWildcardResource } from '../constructs/acknowledge.js';
import { apiPathPatterns } from '../constructs/apiPathPatterns.js';
import { DocumentsBucketCors } from '../constructs/DocumentsBucketCors.js';
import { webAppResponseHeaders } from '../constructs/webAppResponseHeaders.js';
import { viewerHostCode } from '../constructs/viewerHostCode.js';
import { webAppRouterCode } from '../constructs/webAppRouterCode.js';
import { DEFAULTS } from '../defaults.js';

export interface WebStackProps extends StackProps {
  readonly config: CofferConfig;
  /** The HTTP API, behind the same distribution as the app. */
  readonly api: IHttpApi;
  /** The documents bucket: presigned URLs point at it, so the app's policy and its CORS name each other. */
  readonly documentsBucket: IBucket;
  /** The built web app (`npm run build:web`, dist/web). */
  readonly webRoot: string;
}

/** The files a build of client/web always has; without them nothing would load. */
const REQUIRED_FILES = [WEB_APP_PAGE_FILE, 'download-sw.js'];

/**
 * The web app and the API on one origin (docs/deploy.md, "The web app"): a CloudFront
 * distribution whose default behaviour serves the built app from a private bucket (origin access
 * control), and one behaviour per top-level API path of the route table, uncached, to the HTTP
 * API. A stack of its own after the API stack: it needs the API's id, and nothing before it needs
 * the distribution (link URLs are built by clients from the origin they use; the documents
 * bucket's CORS, which does need it, is set from here).
 */
export class WebStack extends Stack {
  readonly distribution: Distribution;
  /** `https://<custom domain or d123.cloudfront.net>`: the app's, the API's and every link's origin. */
  readonly appOrigin: string;
  readonly appBucket: Bucket;

  constructor(scope: Construct, id: string, props: WebStackProps) {
    super(scope, id, props);
    const { config, api, documentsBucket } = props;
    const source = builtApp(props.webRoot);

    // CloudFront's standard logs need ACLs on their bucket (it writes with the log-delivery
    // account's ACL), the only bucket here with ObjectOwnership other than "enforced".
    const logsBucket = new Bucket(this, 'LogsBucket', {
      ...DEFAULTS.buckets.base,
      objectOwnership: ObjectOwnership.OBJECT_WRITER,
      encryption: BucketEncryption.S3_MANAGED,
      lifecycleRules: [{ id: 'expire-logs', expiration: DEFAULTS.web.accessLogExpiration }],
    });

    // Private: no website hosting, no public access; CloudFront reads it through origin access
    // control (SigV4, scoped to this distribution by the bucket policy). SSE-S3: the files are the
    // public app, and a KMS key would have to trust CloudFront too.
    this.appBucket = new Bucket(this, 'AppBucket', {
      ...DEFAULTS.buckets.base,
      encryption: BucketEncryption.S3_MANAGED,
      serverAccessLogsBucket: logsBucket,
      serverAccessLogsPrefix: 'app-bucket/',
    });

    const domain = config.customDomain;
    const documentsOrigin = presignedUrlOrigin(this, documentsBucket);
    const headers = new ResponseHeadersPolicy(this, 'AppHeaders', {
      comment: `Coffer ${config.stage}: the web app's CSP and security headers (shared/server/web/webAppHeaders.ts)`,
      ...webAppResponseHeaders(webAppHeaders({ connectOrigins: [documentsOrigin] })),
    });
    const router = new CloudFrontFunction(this, 'AppRouter', {
      comment: 'Coffer: pages to index.html, assets and root files through, anything else 404',
      runtime: FunctionRuntime.JS_2_0,
      code: FunctionCode.fromInline(webAppRouterCode()),
    });

    const viewerHost = new CloudFrontFunction(this, 'ViewerHost', {
      comment: "Coffer: the viewer's Host as X-Forwarded-Host for the API (the cookie session's Origin check)",
      runtime: FunctionRuntime.JS_2_0,
      code: FunctionCode.fromInline(viewerHostCode()),
    });

    const app: BehaviorOptions = {
      origin: S3BucketOrigin.withOriginAccessControl(this.appBucket),
      viewerProtocolPolicy: ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
      allowedMethods: AllowedMethods.ALLOW_GET_HEAD,
      cachePolicy: CachePolicy.CACHING_OPTIMIZED,
      responseHeadersPolicy: headers,
      functionAssociations: [{ function: router, eventType: FunctionEventType.VIEWER_REQUEST }],
      compress: true,
    };
    // The API answers with its own security headers (shared/server/http/jsonResponse.ts) and is
    // never cached. Every viewer header but Host (the API must see its own), every cookie (the
    // refresh cookie) and every query string go through; with caching disabled, that includes
    // Authorization. HTTPS only: a redirect would turn a POST into a GET.
    const apiBehavior: BehaviorOptions = {
      origin: new HttpOrigin(`${api.apiId}.execute-api.${this.region}.${this.urlSuffix}`, {
        protocolPolicy: OriginProtocolPolicy.HTTPS_ONLY,
        originSslProtocols: [OriginSslPolicy.TLS_V1_2],
      }),
      viewerProtocolPolicy: ViewerProtocolPolicy.HTTPS_ONLY,
      allowedMethods: AllowedMethods.ALLOW_ALL,
      cachePolicy: CachePolicy.CACHING_DISABLED,
      originRequestPolicy: OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
      functionAssociations: [{ function: viewerHost, eventType: FunctionEventType.VIEWER_REQUEST }],
      compress: false,
    };

    // No custom error responses: they apply to every behaviour and would replace the API's JSON
    // errors. No web ACL yet (issue 19): `webAclId` can be set on this distribution later.
    this.distribution = new Distribution(this, 'Distribution', {
      comment: `Coffer ${config.stage}: web app and API`,
      defaultBehavior: app,
      additionalBehaviors: Object.fromEntries(apiPathPatterns(ROUTES).map((pattern) => [pattern, apiBehavior])),
      priceClass: DEFAULTS.web.priceClass,
      httpVersion: HttpVersion.HTTP2_AND_3,
      enableLogging: true,
      logBucket: logsBucket,
      logFilePrefix: 'cloudfront/',
      // Do not remove: cookies carry the refresh token.
      logIncludesCookies: false,
      ...(domain
        ? {
            domainNames: [domain.domainName],
            certificate: Certificate.fromCertificateArn(this, 'Certificate', domain.certificateArn),
            minimumProtocolVersion: DEFAULTS.web.minimumProtocolVersion,
          }
        : {}),
    });
    this.appOrigin = `https://${domain ? domain.domainName : this.distribution.distributionDomainName}`;

    const deployment = this.deployApp(source);

    const cors = new DocumentsBucketCors(this, 'DocumentsBucketCors', {
      bucket: documentsBucket,
      origins: [this.appOrigin, ...config.corsOrigins],
      originsAfterDelete: config.corsOrigins,
    });
    this.acknowledgeFindings(deployment, cors.resource.grantPrincipal as IRole, domain !== undefined);

    new CfnOutput(this, 'AppUrl', {
      value: this.appOrigin,
      description: 'The web app, the API and every link URL: open it in a browser, and export COFFER_URL=<this> for the CLI',
    });
    if (domain) {
      new CfnOutput(this, 'DistributionDomainName', {
        value: this.distribution.distributionDomainName,
        description: `Point ${domain.domainName} here: a CNAME, or a Route 53 alias record`,
      });
    }
  }

  /**
   * The build into the bucket, one upload per kind of file so each gets its Cache-Control: the
   * hashed assets first and never pruned (an open tab may still load an older build's chunks), the
   * root files, and the page last, so it never names an asset not yet uploaded.
   */
  private deployApp(source: ISource): BucketDeployment {
    const upload = (id: string, filter: { include?: string[]; exclude: string[] }, cacheControl: string, prune: boolean) =>
      new BucketDeployment(this, id, {
        sources: [source],
        destinationBucket: this.appBucket,
        ...filter,
        prune,
        cacheControl: [CacheControl.fromString(cacheControl)],
        memoryLimit: DEFAULTS.web.deploymentMemoryMiB,
      });
    const assets = upload('DeployAssets', { exclude: ['*'], include: ['assets/*'] }, WEB_APP_CACHE_CONTROL.asset, false);
    const rootFiles = upload('DeployRootFiles', { exclude: [WEB_APP_PAGE_FILE, 'assets/*'] }, WEB_APP_CACHE_CONTROL.rootFile, true);
    const page = upload('DeployPage', { exclude: ['*'], include: [WEB_APP_PAGE_FILE] }, WEB_APP_CACHE_CONTROL.page, true);
    page.node.addDependency(assets, rootFiles);
    return page;
  }

  /** cdk-nag findings that remain, each acknowledged on its own construct, with its reason. */
  private acknowledgeFindings(deployment: BucketDeployment, corsRole: IConstruct, customDomain: boolean): void {
    const distribution = Validations.of(this.distribution);
    distribution.acknowledge({
      id: 'AwsSolutions-CFR1',
      reason: 'No geo restriction by design: organisations share documents with people wherever they are; access is by account or link, checked by the API.',
    });
    distribution.acknowledge({
      id: 'AwsSolutions-CFR2',
      reason: 'The web ACL (AWS WAF, created in us-east-1) is issue 19; this distribution takes it through webAclId without other change.',
    });
    if (!customDomain) {
      distribution.acknowledge({
        id: 'AwsSolutions-CFR4',
        reason: `The *.cloudfront.net certificate cannot have a minimum TLS version set; set ${CONTEXT_KEYS.domainName} and ${CONTEXT_KEYS.certificateArn} for TLS 1.2 or newer (docs/deploy.md, "Custom domain").`,
      });
    }

    // The deploy-time Lambdas CDK provides: the app upload (BucketDeployment) and the CORS setter (AwsCustomResource).
    const basicExecution = 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]';
    const logsOnly = 'CDK-provided deploy-time function; the managed policy only lets it write its own CloudWatch logs, and CDK offers no way to replace it. It runs during deployments only.';
    Validations.of(deployment.handlerRole).acknowledge({ id: basicExecution, reason: `BucketDeployment: ${logsOnly}` });
    Validations.of(corsRole).acknowledge({ id: basicExecution, reason: `AwsCustomResource (documents bucket CORS): ${logsOnly}` });

    const uploader = Validations.of(deployment.handlerRole);
    const grants: [string, string][] = [
      ['s3:GetObject*', 'read the app build from the CDK asset bucket'],
      ['s3:GetBucket*', 'read the source and destination buckets while syncing'],
      ['s3:List*', 'list the app bucket to compare and prune'],
      ['s3:DeleteObject*', 'prune files of an earlier build from the app bucket'],
      ['s3:Abort*', 'abort its own interrupted multipart uploads'],
    ];
    for (const [action, why] of grants) {
      uploader.acknowledge({
        id: `AwsSolutions-IAM5[Action::${action}]`,
        reason: `BucketDeployment's own grant, to ${why}; only on the app bucket and the CDK asset bucket, at deploy time.`,
      });
    }
    acknowledgeWildcardResource(
      deployment.handlerRole,
      this.appBucket.arnForObjects('*'),
      'Every file of the web app build goes to this bucket under names the build decides (hashed assets); the bucket holds nothing else.',
    );
    acknowledgeWildcardResource(
      deployment.handlerRole,
      `arn:${this.partition}:s3:::${assetBucketName(this)}/*`,
      'The CDK bootstrap asset bucket: the app build is uploaded there as an asset named by its hash, and read once at deploy time.',
    );
    Validations.of(deployment.handlerRole.node.scope as IConstruct).acknowledge({
      id: 'AwsSolutions-L1',
      reason: 'BucketDeployment\'s handler is CDK-provided (Python with the AWS CLI layer), its runtime chosen by aws-cdk-lib; it runs during deployments only and serves no request.',
    });
  }
}

/**
 * The origin of the bucket's presigned URLs, as the AWS SDK v3 builds them in this region
 * (virtual-hosted style, regional endpoint): the app's `connect-src` and the bucket's CORS rest on it.
 */
export function presignedUrlOrigin(scope: Construct, bucket: IBucket): string {
  const stack = Stack.of(scope);
  return `https://${bucket.bucketName}.s3.${stack.region}.${stack.urlSuffix}`;
}

/** The CDK bootstrap asset bucket's name for this stack's environment (the default synthesizer's). */
function assetBucketName(stack: Stack): string {
  const qualifier = (stack.node.tryGetContext(BOOTSTRAP_QUALIFIER_CONTEXT) as string | undefined) ?? DefaultStackSynthesizer.DEFAULT_QUALIFIER;
  return DefaultStackSynthesizer.DEFAULT_FILE_ASSETS_BUCKET_NAME.replace('${Qualifier}', qualifier)
    .replace('${AWS::AccountId}', stack.account)
    .replace('${AWS::Region}', stack.region);
}

/** The built app as an asset; a clear error, not a missing-asset stack trace, when it was not built. */
function builtApp(webRoot: string): ISource {
  const missing = REQUIRED_FILES.filter((file) => !existsSync(join(webRoot, file)));
  if (missing.length > 0) {
    throw new Error(
      `The web app is not built (${missing.map((f) => join(webRoot, f)).join(', ')} missing): run \`npm run build:web\`. ` +
        '`cdk synth` and `cdk deploy` build it first (cdk.json "app").',
    );
  }
  return Source.asset(webRoot);
}

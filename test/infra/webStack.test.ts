import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { App, Stack, Validations } from 'aws-cdk-lib';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { CachePolicy, OriginRequestPolicy } from 'aws-cdk-lib/aws-cloudfront';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import type { IConstruct } from 'constructs';
import { beforeAll, describe, expect, it } from 'vitest';
import { CONTEXT_KEYS } from '../../infra/config.js';
import { apiPathPatterns } from '../../infra/constructs/apiPathPatterns.js';
import { viewerHostCode } from '../../infra/constructs/viewerHostCode.js';
import { webAppRouterCode } from '../../infra/constructs/webAppRouterCode.js';
import { presignedUrlOrigin } from '../../infra/stacks/WebStack.js';
import { S3ObjectStore } from '../../shared/server/adapters/aws/S3ObjectStore.js';
import { ROUTES } from '../../shared/core/api/routes.js';
import { webAppContentSecurityPolicy, webAppHeaders } from '../../shared/server/web/webAppHeaders.js';
import { WEB_APP_CACHE_CONTROL } from '../../shared/server/web/webAppPaths.js';
import { renderForTestEnv, renderWithPlaceholders, type SynthesizedCoffer, synthCoffer, TEST_ENV } from './synthCoffer.js';

type Resource = { Type: string; Properties: Record<string, any>; DependsOn?: string[] };
type Behavior = Record<string, any>;

let coffer: SynthesizedCoffer;
let web: Template;
let config: Record<string, any>;

beforeAll(() => {
  coffer = synthCoffer();
  web = coffer.web;
  config = only(web, 'AWS::CloudFront::Distribution')[1].Properties.DistributionConfig;
});

function resources(template: Template, type: string): [string, Resource][] {
  return Object.entries(template.findResources(type)) as [string, Resource][];
}

/** The logical id of the CloudFront Function with this code. */
function functionId(code: string): string {
  const found = resources(web, 'AWS::CloudFront::Function').filter(([, fn]) => fn.Properties.FunctionCode === code);
  expect(found).toHaveLength(1);
  return found[0]![0];
}

function only(template: Template, type: string): [string, Resource] {
  const found = resources(template, type);
  expect(found).toHaveLength(1);
  return found[0]!;
}

const bucketId = (template: Template, logicalIdPrefix: string) => resources(template, 'AWS::S3::Bucket').find(([id]) => id.startsWith(logicalIdPrefix))![0];
const originOf = (behavior: Behavior) => (config.Origins as Record<string, any>[]).find((o) => o.Id === behavior.TargetOriginId)!;
const apiBehaviors = () => config.CacheBehaviors as Behavior[];

/** CloudFront's path-pattern matching: `*` any characters (slashes too), `?` one; case-sensitive. */
function matches(pattern: string, path: string): boolean {
  const regex = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`);
  return regex.test(path);
}

const TOKEN = 'A'.repeat(43);
/** Paths the app's bucket must answer (through the router function), never the API. */
const APP_PATHS = ['/', `/l/${TOKEN}`, '/assets/app-1a2b.js', '/download-sw.js', '/favicon.svg', '/download/abc'];

describe('app bucket', () => {
  it('is private, encrypted, TLS-only, and no website', () => {
    const [, bucket] = resources(web, 'AWS::S3::Bucket').find(([id]) => id.startsWith('AppBucket'))!;
    expect(bucket.Properties.PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    });
    expect(bucket.Properties.BucketEncryption.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault.SSEAlgorithm).toBeDefined();
    expect(bucket.Properties.WebsiteConfiguration).toBeUndefined();
    expect(bucket.Properties.OwnershipControls.Rules).toEqual([{ ObjectOwnership: 'BucketOwnerEnforced' }]);
  });

  it('lets only this distribution read it, through origin access control (no OAI, no public principal)', () => {
    const appBucket = bucketId(web, 'AppBucket');
    const [, policy] = resources(web, 'AWS::S3::BucketPolicy').find(([, p]) => JSON.stringify(p.Properties.Bucket) === JSON.stringify({ Ref: appBucket }))!;
    const statements = policy.Properties.PolicyDocument.Statement as Record<string, any>[];
    expect(statements).toContainEqual(
      expect.objectContaining({ Effect: 'Deny', Action: 's3:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
    );
    const allows = statements.filter((s) => s.Effect === 'Allow');
    expect(allows).toHaveLength(1);
    expect(allows[0]).toMatchObject({ Action: 's3:GetObject', Principal: { Service: 'cloudfront.amazonaws.com' } });
    const [distributionId] = only(web, 'AWS::CloudFront::Distribution');
    expect(JSON.stringify(allows[0]!.Condition.StringEquals['AWS:SourceArn'])).toContain(`{"Ref":"${distributionId}"}`);

    expect(resources(web, 'AWS::CloudFront::CloudFrontOriginAccessIdentity')).toEqual([]);
    const [oacId, oac] = only(web, 'AWS::CloudFront::OriginAccessControl');
    expect(oac.Properties.OriginAccessControlConfig).toMatchObject({ OriginAccessControlOriginType: 's3', SigningBehavior: 'always', SigningProtocol: 'sigv4' });
    const origin = originOf(config.DefaultCacheBehavior);
    expect(origin.DomainName).toEqual({ 'Fn::GetAtt': [appBucket, 'RegionalDomainName'] });
    expect(origin.OriginAccessControlId).toEqual({ 'Fn::GetAtt': [oacId, 'Id'] });
    expect(origin.S3OriginConfig.OriginAccessIdentity).toBe('');
  });

  it('receives the build in three uploads, each with the Cache-Control of the local server, the page last', () => {
    const appBucket = bucketId(web, 'AppBucket');
    const uploads = resources(web, 'Custom::CDKBucketDeployment');
    expect(uploads).toHaveLength(3);
    for (const [, u] of uploads) expect(u.Properties.DestinationBucketName).toEqual({ Ref: appBucket });
    const byCache = Object.fromEntries(uploads.map(([id, u]) => [u.Properties.SystemMetadata['cache-control'], { id, ...u.Properties, DependsOn: u.DependsOn }]));
    expect(Object.keys(byCache).sort()).toEqual(Object.values(WEB_APP_CACHE_CONTROL).sort());
    const { page, asset, rootFile } = { page: byCache[WEB_APP_CACHE_CONTROL.page], asset: byCache[WEB_APP_CACHE_CONTROL.asset], rootFile: byCache[WEB_APP_CACHE_CONTROL.rootFile] };
    expect(page).toMatchObject({ Exclude: ['*'], Include: ['index.html'], Prune: true });
    expect(asset).toMatchObject({ Exclude: ['*'], Include: ['assets/*'], Prune: false });
    expect(rootFile).toMatchObject({ Exclude: ['index.html', 'assets/*'], Prune: true });
    expect(page.DependsOn).toEqual(expect.arrayContaining([asset.id, rootFile.id]));
  });

  it('refuses to synthesise without a build, and says how to make one', () => {
    const empty = mkdtempSync(join(tmpdir(), 'coffer-web-'));
    expect(() => synthCoffer({}, empty)).toThrow(/The web app is not built .*index\.html.* missing\): run `npm run build:web`/);
  });
});

describe('distribution behaviours', () => {
  it('sends every route of the route table to the API, and no path of the app', () => {
    const patterns = apiBehaviors().map((b) => b.PathPattern as string);
    expect(patterns.sort()).toEqual(apiPathPatterns(ROUTES));
    for (const route of ROUTES) {
      const path = route.path.replace(/\{[^}]+\}/g, 'x1');
      expect(patterns.filter((p) => matches(p, path)), route.path).toHaveLength(1);
    }
    for (const path of APP_PATHS) expect(patterns.filter((p) => matches(p, path)), path).toEqual([]);
    // CloudFront's default quota is 25 cache behaviours per distribution.
    expect(patterns.length).toBeLessThanOrEqual(25);
  });

  it('never caches the API, allows every method, forwards all viewer headers but Host (Authorization, cookies, query strings)', () => {
    for (const behavior of apiBehaviors()) {
      expect(behavior.CachePolicyId).toBe(CachePolicy.CACHING_DISABLED.cachePolicyId);
      expect(behavior.OriginRequestPolicyId).toBe(OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER.originRequestPolicyId);
      expect([...behavior.AllowedMethods].sort()).toEqual(['DELETE', 'GET', 'HEAD', 'OPTIONS', 'PATCH', 'POST', 'PUT']);
      // A redirect from http would turn a POST into a GET.
      expect(behavior.ViewerProtocolPolicy).toBe('https-only');
      // The API sends its own headers; the app's router never sees an API path, only the function
      // that passes the viewer's Host on (the cookie session's Origin check).
      expect(behavior.ResponseHeadersPolicyId).toBeUndefined();
      expect(behavior.FunctionAssociations).toEqual([{ EventType: 'viewer-request', FunctionARN: { 'Fn::GetAtt': [functionId(viewerHostCode()), 'FunctionARN'] } }]);
    }
    expect(new Set(apiBehaviors().map((b) => b.TargetOriginId)).size).toBe(1);
  });

  it('reaches the HTTP API over TLS 1.2 on its execute-api name', () => {
    const origin = originOf(apiBehaviors()[0]!);
    expect(origin.CustomOriginConfig).toEqual({ OriginProtocolPolicy: 'https-only', OriginSSLProtocols: ['TLSv1.2'] });
    expect(renderWithPlaceholders(origin.DomainName)).toMatch(/^<output:\w*Api\w*>\.execute-api\.eu-west-1\.<AWS::URLSuffix>$/);
  });

  it('serves the app from the bucket by default: GET and HEAD, https, its headers policy and its router', () => {
    const behavior = config.DefaultCacheBehavior as Behavior;
    expect(behavior.AllowedMethods).toEqual(['GET', 'HEAD']);
    expect(behavior.ViewerProtocolPolicy).toBe('redirect-to-https');
    expect(behavior.CachePolicyId).toBe(CachePolicy.CACHING_OPTIMIZED.cachePolicyId);
    expect(behavior.ResponseHeadersPolicyId).toEqual({ Ref: only(web, 'AWS::CloudFront::ResponseHeadersPolicy')[0] });
    expect(behavior.FunctionAssociations).toEqual([{ EventType: 'viewer-request', FunctionARN: { 'Fn::GetAtt': [functionId(webAppRouterCode()), 'FunctionARN'] } }]);
  });

  it('has no custom error responses, which would replace the API’s own errors', () => {
    expect(config.CustomErrorResponses).toBeUndefined();
  });

  it('logs to its own bucket, without cookies (they carry the refresh token)', () => {
    expect(config.Logging).toMatchObject({ Bucket: { 'Fn::GetAtt': [bucketId(web, 'LogsBucket'), 'RegionalDomainName'] }, IncludeCookies: false });
  });

  it('has no web ACL yet (issue 19), and no custom domain by default', () => {
    expect(config.WebACLId).toBeUndefined();
    expect(config.Aliases).toBeUndefined();
  });
});

describe('app router (CloudFront Function)', () => {
  const handler = new Function(`${webAppRouterCode()}; return handler;`)() as (event: { request: { uri: string } }) => { uri?: string; statusCode?: number };
  const route = (uri: string) => handler({ request: { uri } });

  it('is the generated code on the JavaScript 2.0 runtime', () => {
    const fn = web.findResources('AWS::CloudFront::Function')[functionId(webAppRouterCode())]!;
    expect(fn.Properties.FunctionConfig.Runtime).toBe('cloudfront-js-2.0');
  });

  it('answers the pages with index.html and lets assets and root files through', () => {
    expect(route('/').uri).toBe('/index.html');
    expect(route(`/l/${TOKEN}`).uri).toBe('/index.html');
    for (const uri of ['/assets/app-1a2b.js', '/download-sw.js', '/favicon.svg']) expect(route(uri).uri).toBe(uri);
  });

  it.each(['/index.html', '/l/', `/l/${TOKEN}/x`, '/foo', '/download/abc', '/assets/', '/assets/a/b.js', '/.env', '/%2e%2e/x'])('answers %s with 404', (uri) => {
    expect(route(uri)).toEqual({ statusCode: 404, statusDescription: 'Not Found' });
  });
});

describe('viewer host (CloudFront Function in front of the API)', () => {
  const handler = new Function(`${viewerHostCode()}; return handler;`)() as (event: { request: { headers: Record<string, { value: string }> } }) => {
    headers: Record<string, { value: string }>;
  };

  it('is the generated code on the JavaScript 2.0 runtime', () => {
    const fn = web.findResources('AWS::CloudFront::Function')[functionId(viewerHostCode())]!;
    expect(fn.Properties.FunctionConfig.Runtime).toBe('cloudfront-js-2.0');
  });

  it("passes the viewer's Host on as X-Forwarded-Host, replacing one the viewer sent", () => {
    const request = handler({ request: { headers: { host: { value: 'coffer.example.org' }, 'x-forwarded-host': { value: 'evil.example' } } } });
    expect(request.headers['x-forwarded-host']).toEqual({ value: 'coffer.example.org' });
    expect(request.headers.host).toEqual({ value: 'coffer.example.org' });
  });

  it('drops a viewer-sent X-Forwarded-Host when there is no Host', () => {
    expect(handler({ request: { headers: { 'x-forwarded-host': { value: 'evil.example' } } } }).headers['x-forwarded-host']).toBeUndefined();
  });
});

describe('response headers', () => {
  const policy = () => only(web, 'AWS::CloudFront::ResponseHeadersPolicy')[1].Properties.ResponseHeadersPolicyConfig;

  it('sends the CSP of webAppHeaders.ts, with the documents bucket’s presigned-URL origin in connect-src', () => {
    const csp = renderWithPlaceholders(policy().SecurityHeadersConfig.ContentSecurityPolicy.ContentSecurityPolicy);
    const storage = /connect-src 'self' (\S+);/.exec(csp)?.[1];
    expect(storage).toMatch(/^https:\/\/<output:\w*DocumentsBucket\w*>\.s3\.eu-west-1\.<AWS::URLSuffix>$/);
    expect(csp).toBe(webAppContentSecurityPolicy({ connectOrigins: [storage!] }));
    expect(policy().SecurityHeadersConfig.ContentSecurityPolicy.Override).toBe(true);
  });

  it('sends every other header of webAppHeaders.ts, overriding the bucket’s', () => {
    const expected = webAppHeaders();
    const security = policy().SecurityHeadersConfig;
    const hsts = security.StrictTransportSecurity;
    const sent: Record<string, string> = {
      'x-content-type-options': 'nosniff',
      'x-frame-options': security.FrameOptions.FrameOption,
      'referrer-policy': security.ReferrerPolicy.ReferrerPolicy,
      'strict-transport-security': `max-age=${hsts.AccessControlMaxAgeSec}${hsts.IncludeSubdomains ? '; includeSubDomains' : ''}${hsts.Preload ? '; preload' : ''}`,
      ...Object.fromEntries((policy().CustomHeadersConfig.Items as { Header: string; Value: string }[]).map((h) => [h.Header, h.Value])),
    };
    const { 'content-security-policy': _csp, ...rest } = expected;
    expect(sent).toEqual(rest);
    expect(security.ContentTypeOptions.Override).toBe(true);
    for (const name of ['FrameOptions', 'ReferrerPolicy', 'StrictTransportSecurity']) expect(security[name].Override).toBe(true);
    for (const item of policy().CustomHeadersConfig.Items) expect(item.Override).toBe(true);
  });

  it('names the same storage origin as the AWS SDK’s presigned URLs', async () => {
    const stack = new Stack(new App(), 'Probe', { env: TEST_ENV });
    const origin = renderForTestEnv(stack.resolve(presignedUrlOrigin(stack, Bucket.fromBucketName(stack, 'Docs', 'coffer-docs-probe'))));
    const client = new S3Client({ ...S3ObjectStore.clientConfig, region: TEST_ENV.region, credentials: { accessKeyId: 'AKIDPROBE', secretAccessKey: 'probe' } });
    const url = await getSignedUrl(client, new PutObjectCommand({ Bucket: 'coffer-docs-probe', Key: 'docs/x/v1' }), { expiresIn: 60 });
    expect(new URL(url).origin).toBe(origin);
  });
});

describe('documents bucket CORS', () => {
  function corsCalls(template: Template) {
    const [, resource] = only(template, 'Custom::DocumentsBucketCors');
    return {
      create: JSON.parse(renderWithPlaceholders(resource.Properties.Create)),
      update: JSON.parse(renderWithPlaceholders(resource.Properties.Update)),
      delete: JSON.parse(renderWithPlaceholders(resource.Properties.Delete)),
    };
  }

  it('allows the app origin and the configured origins, for presigned PUT, GET and HEAD, exposing ETag', () => {
    const { create, update } = corsCalls(web);
    expect(update).toEqual(create);
    expect(create.action).toBe('PutBucketCors');
    expect(create.parameters.Bucket).toMatch(/^<output:\w*DocumentsBucket\w*>$/);
    const [rule, ...others] = create.parameters.CORSConfiguration.CORSRules;
    expect(others).toEqual([]);
    const [distributionId] = only(web, 'AWS::CloudFront::Distribution');
    expect(rule.AllowedOrigins).toEqual([`https://<${distributionId}.DomainName>`, ...coffer.stacks.config.corsOrigins]);
    for (const origin of rule.AllowedOrigins) expect(origin).not.toContain('*');
    expect(rule.AllowedMethods.sort()).toEqual(['GET', 'HEAD', 'PUT']);
    expect(rule.ExposeHeaders).toEqual(['ETag']);
  });

  it('leaves the configured origins only when the web stack is deleted', () => {
    const rule = corsCalls(web).delete.parameters.CORSConfiguration.CORSRules[0];
    expect(rule.AllowedOrigins).toEqual(coffer.stacks.config.corsOrigins);
  });

  it('may change the documents bucket’s CORS and nothing else', () => {
    const statements = resources(web, 'AWS::IAM::Policy')
      .filter(([id]) => id.startsWith('DocumentsBucketCors'))
      .flatMap(([, p]) => p.Properties.PolicyDocument.Statement as Record<string, any>[]);
    expect(statements).toHaveLength(1);
    expect(statements[0]!.Action).toBe('s3:PutBucketCORS');
    expect(renderWithPlaceholders(statements[0]!.Resource)).toMatch(/^<output:\w*DocumentsBucket\w*Arn\w*>$/);
  });
});

describe('outputs', () => {
  it('prints the app URL: https and the distribution’s name', () => {
    const outputs = web.findOutputs('AppUrl');
    const [distributionId] = only(web, 'AWS::CloudFront::Distribution');
    expect(renderWithPlaceholders(Object.values(outputs)[0]!.Value)).toBe(`https://<${distributionId}.DomainName>`);
  });
});

describe('custom domain', () => {
  const certificateArn = 'arn:aws:acm:us-east-1:123456789012:certificate/12345678-1234-1234-1234-123456789012';
  let synthesized: SynthesizedCoffer;
  let custom: Template;

  beforeAll(() => {
    // Throws on any cdk-nag finding left unacknowledged.
    synthesized = synthCoffer({ [CONTEXT_KEYS.domainName]: 'coffer.example.com', [CONTEXT_KEYS.certificateArn]: certificateArn });
    custom = synthesized.web;
  });

  it('needs no TLS acknowledgement (AwsSolutions-CFR4) on the distribution: viewers get TLS 1.2 or newer', () => {
    const acknowledged = (construct: IConstruct) =>
      construct.node.metadata
        .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
        .flatMap((entry) => Object.keys(entry.data as Record<string, string>).map((id) => id.replace(/^[^:]+::/, '')));
    expect(acknowledged(synthesized.stacks.web.distribution).sort()).toEqual(['AwsSolutions-CFR1', 'AwsSolutions-CFR2']);
    expect(acknowledged(coffer.stacks.web.distribution)).toContain('AwsSolutions-CFR4');
  });

  it('serves the distribution on the name, with its certificate, SNI and TLS 1.2 or newer', () => {
    custom.hasResourceProperties('AWS::CloudFront::Distribution', {
      DistributionConfig: Match.objectLike({
        Aliases: ['coffer.example.com'],
        ViewerCertificate: { AcmCertificateArn: certificateArn, SslSupportMethod: 'sni-only', MinimumProtocolVersion: 'TLSv1.2_2021' },
      }),
    });
  });

  it('prints the app URL on the name, and the distribution name to point the DNS record at', () => {
    custom.hasOutput('AppUrl', { Value: 'https://coffer.example.com' });
    custom.hasOutput('DistributionDomainName', { Value: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Distribution'), 'DomainName'] } });
  });

  it('allows the name’s origin on the documents bucket', () => {
    const [, resource] = only(custom, 'Custom::DocumentsBucketCors');
    const rule = JSON.parse(renderWithPlaceholders(resource.Properties.Create)).parameters.CORSConfiguration.CORSRules[0];
    expect(rule.AllowedOrigins[0]).toBe('https://coffer.example.com');
  });
});

import { readFileSync } from 'node:fs';
import { App } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { CONTEXT_KEYS, configFromContext, parseCorsOrigins } from '../../infra/config.js';
import { functionDescription, jobDescription } from '../../infra/constructs/CofferFunction.js';
import { SETTINGS_ENV } from '../../infra/stacks/ApiStack.js';
import { AREAS } from '../../shared/core/api/routes.js';
import { renderWithPlaceholders, synthCoffer } from './synthCoffer.js';

const configOf = (context: Record<string, unknown>) => configFromContext(new App({ context }).node);

// A worker's first synthesis is several times slower than the next (loading aws-cdk-lib's modules,
// a cold JIT): make it here, under the hook's budget, so the tests below each take a warm one.
beforeAll(() => {
  synthCoffer();
});

describe('parseCorsOrigins', () => {
  it('accepts a list (cdk.json) or a comma-separated string (-c), trimmed and de-duplicated', () => {
    expect(parseCorsOrigins(['https://app.example.com', 'http://localhost:5173'])).toEqual([
      'https://app.example.com',
      'http://localhost:5173',
    ]);
    expect(parseCorsOrigins(' https://a.example.com, https://b.example.com ,https://a.example.com')).toEqual([
      'https://a.example.com',
      'https://b.example.com',
    ]);
  });

  it('treats absent or empty as no CORS', () => {
    expect(parseCorsOrigins(undefined)).toEqual([]);
    expect(parseCorsOrigins('')).toEqual([]);
    expect(parseCorsOrigins([])).toEqual([]);
  });

  it.each([
    ['*', /wildcards are not allowed/],
    ['https://*.example.com', /wildcards are not allowed/],
    ['https://app.example.com/', /no path, query or trailing slash/],
    ['https://app.example.com/app', /no path, query or trailing slash/],
    ['http://app.example.com', /https is required except for localhost/],
    ['app.example.com', /exact origins/],
  ])('rejects %s', (origin, message) => {
    expect(() => parseCorsOrigins([origin])).toThrow(message);
  });
});

describe('configFromContext', () => {
  it('defaults to the dev stage, INFO logs, no tracing, no CORS, 90-day links and a 7-year audit archive', () => {
    expect(configOf({})).toEqual({
      stage: 'dev',
      corsOrigins: [],
      logLevel: 'INFO',
      tracing: false,
      linkMaxTtlDays: 90,
      auditArchive: { retentionDays: 2557 },
      auditors: [],
      customDomain: undefined,
    });
  });

  it('reads the auditors as a list (cdk.json) or a comma-separated string (-c), user ids only', () => {
    expect(configOf({ [CONTEXT_KEYS.auditors]: ['alice', 'bob'] }).auditors).toEqual(['alice', 'bob']);
    expect(configOf({ [CONTEXT_KEYS.auditors]: 'alice, bob,alice' }).auditors).toEqual(['alice', 'bob']);
    expect(() => configOf({ [CONTEXT_KEYS.auditors]: 'Alice' })).toThrow(/coffer:auditors entries must be user ids \(got "Alice"\)/);
    expect(() => configOf({ [CONTEXT_KEYS.auditors]: 7 })).toThrow(/coffer:auditors must be a list of user ids/);
  });

  it('puts the auditors on the audit function only', () => {
    const { api } = synthCoffer({ [CONTEXT_KEYS.auditors]: 'alice,bob' });
    const withSetting = Object.values(api.findResources('AWS::Lambda::Function')).filter(
      (fn) => fn.Properties.Environment.Variables[SETTINGS_ENV.auditors] !== undefined,
    );
    expect(withSetting.map((fn) => fn.Properties.Environment.Variables[SETTINGS_ENV.auditors])).toEqual(['alice,bob']);
  });

  it('reads the audit archive switch and its retention in days, from 1 day to 100 years', () => {
    expect(configOf({ [CONTEXT_KEYS.auditArchive]: 'false' }).auditArchive).toBeUndefined();
    expect(configOf({ [CONTEXT_KEYS.auditArchive]: false, [CONTEXT_KEYS.auditArchiveRetentionDays]: 30 }).auditArchive).toBeUndefined();
    expect(configOf({ [CONTEXT_KEYS.auditArchive]: 'true' }).auditArchive).toEqual({ retentionDays: 2557 });
    expect(configOf({ [CONTEXT_KEYS.auditArchiveRetentionDays]: '3653' }).auditArchive).toEqual({ retentionDays: 3653 });
    expect(configOf({ [CONTEXT_KEYS.auditArchiveRetentionDays]: 36_500 }).auditArchive).toEqual({ retentionDays: 36_500 });
  });

  it('reads linkMaxTtlDays as a number (cdk.json) or a string (-c), from 1 to 365 days', () => {
    expect(configOf({ [CONTEXT_KEYS.linkMaxTtlDays]: 30 }).linkMaxTtlDays).toBe(30);
    expect(configOf({ [CONTEXT_KEYS.linkMaxTtlDays]: '365' }).linkMaxTtlDays).toBe(365);
    expect(configOf({ [CONTEXT_KEYS.linkMaxTtlDays]: 1 }).linkMaxTtlDays).toBe(1);
  });

  it('puts linkMaxTtlDays on the links function, in seconds', () => {
    const { api } = synthCoffer({ [CONTEXT_KEYS.linkMaxTtlDays]: '7' });
    api.hasResourceProperties('AWS::Lambda::Function', {
      Description: functionDescription('links'),
      Environment: { Variables: Match.objectLike({ [SETTINGS_ENV.linkMaxTtlSeconds]: String(7 * 86_400) }) },
    });
    const withSetting = Object.values(api.findResources('AWS::Lambda::Function')).filter(
      (fn) => fn.Properties.Environment.Variables[SETTINGS_ENV.linkMaxTtlSeconds] !== undefined,
    );
    expect(withSetting).toHaveLength(1);
  });

  it('reads an optional custom domain: both settings or neither', () => {
    const certificateArn = 'arn:aws:acm:us-east-1:123456789012:certificate/12345678-1234-1234-1234-123456789012';
    expect(configOf({ [CONTEXT_KEYS.domainName]: ' coffer.example.com', [CONTEXT_KEYS.certificateArn]: certificateArn }).customDomain).toEqual({
      domainName: 'coffer.example.com',
      certificateArn,
    });
    expect(configOf({ [CONTEXT_KEYS.domainName]: '', [CONTEXT_KEYS.certificateArn]: '' }).customDomain).toBeUndefined();
  });

  it.each([
    [{ [CONTEXT_KEYS.domainName]: 'coffer.example.com' }, /coffer:domainName is set but coffer:certificateArn is not/],
    [{ [CONTEXT_KEYS.certificateArn]: 'arn:aws:acm:us-east-1:123456789012:certificate/12345678-1234-1234-1234-123456789012' }, /coffer:certificateArn is set but coffer:domainName is not/],
    [{ [CONTEXT_KEYS.domainName]: 'https://coffer.example.com', [CONTEXT_KEYS.certificateArn]: 'arn:aws:acm:us-east-1:123456789012:certificate/12345678-1234-1234-1234-123456789012' }, /coffer:domainName must be a lower-case host name/],
    [{ [CONTEXT_KEYS.domainName]: '*.example.com', [CONTEXT_KEYS.certificateArn]: 'arn:aws:acm:us-east-1:123456789012:certificate/12345678-1234-1234-1234-123456789012' }, /coffer:domainName must be a lower-case host name/],
    [{ [CONTEXT_KEYS.domainName]: 'Coffer.Example.com', [CONTEXT_KEYS.certificateArn]: 'arn:aws:acm:us-east-1:123456789012:certificate/12345678-1234-1234-1234-123456789012' }, /coffer:domainName must be a lower-case host name/],
    [{ [CONTEXT_KEYS.domainName]: 'coffer.example.com', [CONTEXT_KEYS.certificateArn]: 'arn:aws:acm:eu-west-1:123456789012:certificate/12345678-1234-1234-1234-123456789012' }, /coffer:certificateArn must be an ACM certificate ARN in us-east-1/],
    [{ [CONTEXT_KEYS.domainName]: 'coffer.example.com', [CONTEXT_KEYS.certificateArn]: 'not-an-arn' }, /coffer:certificateArn must be an ACM certificate ARN in us-east-1/],
  ])('rejects the custom domain %j, naming the setting', (context, message) => {
    expect(() => configOf(context)).toThrow(message);
  });

  it('accepts command-line strings', () => {
    expect(configOf({ [CONTEXT_KEYS.stage]: 'prod', [CONTEXT_KEYS.logLevel]: 'debug', [CONTEXT_KEYS.tracing]: 'true' })).toMatchObject({
      stage: 'prod',
      logLevel: 'DEBUG',
      tracing: true,
    });
  });

  it.each([
    [{ [CONTEXT_KEYS.stage]: 'Prod' }, /coffer:stage must match/],
    [{ [CONTEXT_KEYS.stage]: 'a-very-long-stage-name' }, /coffer:stage must match/],
    [{ [CONTEXT_KEYS.logLevel]: 'verbose' }, /coffer:logLevel must be one of/],
    [{ [CONTEXT_KEYS.tracing]: 'yes' }, /coffer:tracing must be true or false/],
    [{ [CONTEXT_KEYS.linkMaxTtlDays]: 0 }, /coffer:linkMaxTtlDays must be a whole number of days from 1 to 365/],
    [{ [CONTEXT_KEYS.linkMaxTtlDays]: 366 }, /coffer:linkMaxTtlDays must be a whole number of days from 1 to 365/],
    [{ [CONTEXT_KEYS.linkMaxTtlDays]: 1.5 }, /coffer:linkMaxTtlDays must be a whole number/],
    [{ [CONTEXT_KEYS.linkMaxTtlDays]: '30d' }, /coffer:linkMaxTtlDays must be a whole number/],
    [{ [CONTEXT_KEYS.linkMaxTtlDays]: '-5' }, /coffer:linkMaxTtlDays must be a whole number/],
    [{ [CONTEXT_KEYS.auditArchive]: 'no' }, /coffer:auditArchive must be true or false/],
    [{ [CONTEXT_KEYS.auditArchiveRetentionDays]: 0 }, /coffer:auditArchiveRetentionDays must be a whole number of days from 1 to 36500/],
    [{ [CONTEXT_KEYS.auditArchiveRetentionDays]: '7y' }, /coffer:auditArchiveRetentionDays must be a whole number/],
    [{ [CONTEXT_KEYS.auditArchiveRetentionDays]: 36_501 }, /coffer:auditArchiveRetentionDays must be a whole number/],
  ])('rejects %j', (context, message) => {
    expect(() => configOf(context)).toThrow(message);
  });
});

describe('cdk.json', () => {
  const cdkJson = JSON.parse(readFileSync(new URL('../../cdk.json', import.meta.url), 'utf8'));

  it('runs the TypeScript app without notices or telemetry', () => {
    // The web app is built first, so a deploy never ships a stale dist/web.
    expect(cdkJson.app).toBe('npm run --silent build:web && npx tsx infra/app.ts');
    expect(cdkJson.notices).toBe(false);
    // The CLI reads the telemetry opt-out from context.
    expect(cdkJson.context['cli-telemetry']).toBe(false);
  });

  it('carries valid Coffer defaults', () => {
    expect(() => configOf(cdkJson.context)).not.toThrow();
  });
});

describe('CORS from context', () => {
  it('puts the configured origins on the bucket (beside the app origin), the API and the API functions (not the cleanup job, which serves no browser)', () => {
    const origins = ['https://a.example.com', 'https://b.example.com'];
    const { api, web } = synthCoffer({ [CONTEXT_KEYS.corsOrigins]: origins.join(',') });
    const [cors] = Object.values(web.findResources('Custom::DocumentsBucketCors'));
    const call = JSON.parse(renderWithPlaceholders(cors!.Properties.Create));
    expect(call.parameters.CORSConfiguration.CORSRules[0].AllowedOrigins).toEqual([expect.stringMatching(/^https:\/\/<Distribution\w+\.DomainName>$/), ...origins]);
    api.hasResourceProperties('AWS::ApiGatewayV2::Api', { CorsConfiguration: { AllowOrigins: origins } });
    const functions = Object.values(api.findResources('AWS::Lambda::Function'));
    const apiFunctions = functions.filter((fn) => AREAS.some((area) => fn.Properties.Description === functionDescription(area)));
    expect(apiFunctions).toHaveLength(AREAS.length);
    for (const fn of apiFunctions) expect(fn.Properties.Environment.Variables.CORS_ORIGINS).toBe(origins.join(','));
    const jobs = functions.filter((fn) => fn.Properties.Description === jobDescription('cleanup'));
    expect(jobs).toHaveLength(1);
    expect(jobs[0]!.Properties.Environment.Variables.CORS_ORIGINS).toBeUndefined();
  });

  it('configures no API CORS and no bucket CORS in the data stack when no origin is given (the app is same-origin)', () => {
    const { data, api } = synthCoffer({ [CONTEXT_KEYS.corsOrigins]: '' });
    for (const bucket of Object.values(data.findResources('AWS::S3::Bucket'))) {
      expect(bucket.Properties.CorsConfiguration).toBeUndefined();
    }
    for (const httpApi of Object.values(api.findResources('AWS::ApiGatewayV2::Api'))) {
      expect(httpApi.Properties.CorsConfiguration).toBeUndefined();
    }
  });

  it('refuses a wildcard origin before building anything', () => {
    expect(() => synthCoffer({ [CONTEXT_KEYS.corsOrigins]: '*' })).toThrow(/wildcards are not allowed/);
  });
});

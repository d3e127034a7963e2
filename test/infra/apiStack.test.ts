import { Match, type Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { functionDescription, jobDescription } from '../../infra/constructs/CofferFunction.js';
import { DEFAULTS } from '../../infra/defaults.js';
import { SETTINGS_ENV } from '../../infra/stacks/ApiStack.js';
import { objectKey } from '../../shared/server/data/keys.js';
import { TABLE } from '../../shared/server/data/tableDefinition.js';
import { AREAS, type Area, type FunctionArea, ROUTES } from '../../shared/core/api/routes.js';
import { logicalIdOf, type SynthesizedCoffer, synthCoffer } from './synthCoffer.js';

type Resource = { Type: string; Properties: Record<string, any> };
type Statement = { Effect: string; Action: string | string[]; Resource: unknown; Condition?: Record<string, any> };

let coffer: SynthesizedCoffer;
let api: Template;
/** Logical ids in the data stack; the API stack refers to them through cross-stack outputs. */
let dataIds: { storageKey: string; dataKey: string; signingKey: string; macKey: string; auditKey: string; table: string; bucket: string };

beforeAll(() => {
  coffer = synthCoffer();
  api = coffer.api;
  const stack = coffer.stacks.data;
  dataIds = {
    storageKey: logicalIdOf(stack, stack.keys.storageKey.node.defaultChild),
    dataKey: logicalIdOf(stack, stack.keys.dataKey.node.defaultChild),
    signingKey: logicalIdOf(stack, stack.keys.signingKey.node.defaultChild),
    macKey: logicalIdOf(stack, stack.keys.macKey.node.defaultChild),
    auditKey: logicalIdOf(stack, stack.keys.auditKey.node.defaultChild),
    table: logicalIdOf(stack, stack.table.node.defaultChild),
    bucket: logicalIdOf(stack, stack.documentsBucket.node.defaultChild),
  };
});

function resources(type: string): [string, Resource][] {
  return Object.entries(api.findResources(type)) as [string, Resource][];
}

/** An API area's function, or a job's (`'cleanup'`, `'audit'`). */
type FunctionName = Area | 'cleanup' | 'audit';

function functionOf(name: FunctionName): [string, Resource] {
  const description = name === 'cleanup' || name === 'audit' ? jobDescription(name) : functionDescription(name);
  const found = resources('AWS::Lambda::Function').filter(([, r]) => r.Properties.Description === description);
  expect(found).toHaveLength(1);
  return found[0]!;
}

/** Every statement of every IAM policy attached to the function's role. */
function statementsOf(name: FunctionName): Statement[] {
  const [, fn] = functionOf(name);
  const roleId = (fn.Properties.Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
  return resources('AWS::IAM::Policy')
    .filter(([, p]) => (p.Properties.Roles as unknown[]).some((r) => JSON.stringify(r) === JSON.stringify({ Ref: roleId })))
    .flatMap(([, p]) => p.Properties.PolicyDocument.Statement as Statement[]);
}

const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : [value]);
const actionsOf = (s: Statement): string[] => list(s.Action) as string[];
/** Whether a (cross-stack) resource expression refers to the data stack's resource with this logical id. */
const refersTo = (resource: unknown, logicalId: string): boolean => JSON.stringify(resource).includes(logicalId);

function grantsOn(name: FunctionName, action: string, logicalId?: string): Statement[] {
  return statementsOf(name).filter(
    (s) => s.Effect === 'Allow' && actionsOf(s).includes(action) && (!logicalId || list(s.Resource).some((r) => refersTo(r, logicalId))),
  );
}

describe('HTTP API', () => {
  it('has exactly one route per entry of the route table', () => {
    const routeKeys = resources('AWS::ApiGatewayV2::Route').map(([, r]) => r.Properties.RouteKey as string);
    expect(routeKeys.sort()).toEqual(ROUTES.map((r) => `${r.method} ${r.path}`).sort());
  });

  it('sends each route to its own area’s function, with no API Gateway authorizer', () => {
    const routes = resources('AWS::ApiGatewayV2::Route');
    for (const route of ROUTES) {
      const [, r] = routes.find(([, x]) => x.Properties.RouteKey === `${route.method} ${route.path}`)!;
      expect(r.Properties.AuthorizationType ?? 'NONE').toBe('NONE');
      const integrationId = JSON.stringify(r.Properties.Target).match(/"Ref":"([^"]+)"/)![1]!;
      const integration = api.toJSON().Resources[integrationId] as Resource;
      expect(integration.Properties.IntegrationUri).toEqual({ 'Fn::GetAtt': [functionOf(route.area)[0], 'Arn'] });
      expect(integration.Properties.PayloadFormatVersion).toBe('2.0');
    }
  });

  it('serves a $default stage that writes JSON access logs to a log group with retention', () => {
    const [[logGroupId, logGroup]] = resources('AWS::Logs::LogGroup').filter(([id]) =>
      JSON.stringify(api.findResources('AWS::ApiGatewayV2::Stage')).includes(id),
    ) as [[string, Resource]];
    expect(logGroup.Properties.RetentionInDays).toBeGreaterThan(0);
    api.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      AutoDeploy: true,
      AccessLogSettings: {
        DestinationArn: { 'Fn::GetAtt': [logGroupId, 'Arn'] },
        Format: Match.stringLikeRegexp('\\$context\\.requestId'),
      },
    });
  });

  it('allows CORS from the configured origins only, with the Authorization header', () => {
    const [[, apiResource]] = resources('AWS::ApiGatewayV2::Api') as [[string, Resource]];
    const cors = apiResource.Properties.CorsConfiguration;
    expect(cors.AllowOrigins).toEqual(coffer.stacks.config.corsOrigins);
    for (const origin of cors.AllowOrigins as string[]) expect(origin).not.toContain('*');
    expect(cors.AllowHeaders).toContain('authorization');
    expect(cors.AllowCredentials).toBe(false);
  });

  it('outputs the API URL', () => {
    api.hasOutput('ApiUrl', { Value: Match.anyValue() });
  });
});

/** Every function: the API areas' and the jobs'. */
const ALL: readonly FunctionName[] = [...AREAS, 'cleanup', 'audit'];

describe('functions', () => {
  it('has one function per area, and the cleanup and audit jobs', () => {
    expect(resources('AWS::Lambda::Function')).toHaveLength(AREAS.length + 2);
    for (const name of ALL) functionOf(name);
  });

  it('runs Node.js 22 or newer on arm64 with its own log group', () => {
    for (const name of ALL) {
      const [, fn] = functionOf(name);
      const major = Number(/^nodejs(\d+)\.x$/.exec(fn.Properties.Runtime as string)?.[1]);
      expect(major).toBeGreaterThanOrEqual(22);
      expect(fn.Properties.Architectures).toEqual(['arm64']);
      const logGroupId = fn.Properties.LoggingConfig.LogGroup.Ref as string;
      expect((api.toJSON().Resources[logGroupId] as Resource).Properties.RetentionInDays).toBeGreaterThan(0);
    }
  });

  it('uses roles without managed policies', () => {
    for (const [, role] of resources('AWS::IAM::Role')) expect(role.Properties.ManagedPolicyArns).toBeUndefined();
  });

  it('gives each area the environment its grants imply, and nothing more', () => {
    const expected: Record<FunctionArea, string[]> = {
      health: [],
      users: ['TABLE_NAME', 'MAC_KEY_ID', 'DATA_KEY_ID', 'SIGNING_KEY_ID'],
      auth: ['TABLE_NAME', 'SIGNING_KEY_ID', 'MAC_KEY_ID', 'DATA_KEY_ID'],
      documents: ['TABLE_NAME', 'BUCKET_NAME', 'SIGNING_KEY_ID'],
      folders: ['TABLE_NAME', 'BUCKET_NAME', 'SIGNING_KEY_ID'],
      sharing: ['TABLE_NAME', 'SIGNING_KEY_ID'],
      groups: ['TABLE_NAME', 'SIGNING_KEY_ID'],
      links: ['TABLE_NAME', 'BUCKET_NAME', 'MAC_KEY_ID', 'SIGNING_KEY_ID', SETTINGS_ENV.linkMaxTtlSeconds],
    };
    const common = ['COFFER_KMS', 'POWERTOOLS_SERVICE_NAME', 'LOG_LEVEL', 'CORS_ORIGINS', 'NODE_OPTIONS'];
    for (const area of AREAS) {
      const variables = functionOf(area)[1].Properties.Environment.Variables as Record<string, unknown>;
      expect(Object.keys(variables).sort()).toEqual([...common, ...expected[area]].sort());
      expect(variables.COFFER_KMS).toBe('aws');
      expect(variables.POWERTOOLS_SERVICE_NAME).toBe('coffer');
      expect(variables.CORS_ORIGINS).toBe(coffer.stacks.config.corsOrigins.join(','));
    }
  });

  it('gives only the links function the link lifetime setting, from config (days to seconds)', () => {
    const variables = functionOf('links')[1].Properties.Environment.Variables as Record<string, unknown>;
    expect(variables[SETTINGS_ENV.linkMaxTtlSeconds]).toBe(String(coffer.stacks.config.linkMaxTtlDays * 86_400));
    expect(coffer.stacks.config.linkMaxTtlDays).toBe(90);
  });

  it('gives the cleanup job its table and bucket names, and no KMS adapter or CORS', () => {
    const [, fn] = functionOf('cleanup');
    const variables = fn.Properties.Environment.Variables as Record<string, unknown>;
    expect(Object.keys(variables).sort()).toEqual(['BUCKET_NAME', 'LOG_LEVEL', 'NODE_OPTIONS', 'POWERTOOLS_SERVICE_NAME', 'TABLE_NAME']);
    expect(fn.Properties.Handler).toBe('index.handler');
    expect(fn.Properties.Timeout).toBe(DEFAULTS.cleanup.timeout.toSeconds());
    expect(fn.Properties.Timeout).toBeGreaterThan(DEFAULTS.function.timeout.toSeconds());
  });
});

describe('cleanup schedule', () => {
  it('runs the cleanup function every hour from one EventBridge rule', () => {
    const rules = resources('AWS::Events::Rule').filter(([, r]) => JSON.stringify(r.Properties.Targets).includes(functionOf('cleanup')[0]));
    expect(rules).toHaveLength(1);
    const [[ruleId, rule]] = rules as [[string, Resource]];
    expect(rule.Properties.ScheduleExpression).toBe('rate(1 hour)');
    expect(rule.Properties.State).toBe('ENABLED');
    const targets = rule.Properties.Targets as { Arn: unknown }[];
    expect(targets).toHaveLength(1);
    expect(targets[0]!.Arn).toEqual({ 'Fn::GetAtt': [functionOf('cleanup')[0], 'Arn'] });
    // EventBridge may invoke it, from this rule only.
    api.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunction',
      FunctionName: { 'Fn::GetAtt': [functionOf('cleanup')[0], 'Arn'] },
      Principal: 'events.amazonaws.com',
      SourceArn: { 'Fn::GetAtt': [ruleId, 'Arn'] },
    });
  });

  it('is not behind the API: no route reaches the cleanup function', () => {
    const cleanupId = functionOf('cleanup')[0];
    for (const [, integration] of resources('AWS::ApiGatewayV2::Integration')) {
      expect(JSON.stringify(integration.Properties.IntegrationUri)).not.toContain(cleanupId);
    }
  });
});

describe('audit job', () => {
  it('runs the audit function every hour from its own EventBridge rule, and behind the audit routes only', () => {
    const auditId = functionOf('audit')[0];
    const rules = resources('AWS::Events::Rule').filter(([, r]) => JSON.stringify(r.Properties.Targets).includes(auditId));
    expect(rules).toHaveLength(1);
    const [[ruleId, rule]] = rules as [[string, Resource]];
    expect(rule.Properties.ScheduleExpression).toBe('rate(1 hour)');
    expect(rule.Properties.Targets).toHaveLength(1);
    api.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunction',
      FunctionName: { 'Fn::GetAtt': [auditId, 'Arn'] },
      Principal: 'events.amazonaws.com',
      SourceArn: { 'Fn::GetAtt': [ruleId, 'Arn'] },
    });
    // The audit API area (queries, verify, checkpoints on demand) and nothing else.
    const routes = resources('AWS::ApiGatewayV2::Route');
    const integrations = resources('AWS::ApiGatewayV2::Integration').filter(([, i]) => JSON.stringify(i.Properties.IntegrationUri).includes(auditId));
    expect(integrations).toHaveLength(1);
    const served = routes.filter(([, r]) => JSON.stringify(r.Properties.Target).includes(integrations[0]![0])).map(([, r]) => r.Properties.RouteKey as string);
    expect(served.sort()).toEqual(ROUTES.filter((r) => r.area === 'audit').map((r) => `${r.method} ${r.path}`).sort());
  });

  it('lets only the audit function sign with the audit key, RAW ECDSA_SHA_256 only', () => {
    const [statement, ...rest] = grantsOn('audit', 'kms:Sign', dataIds.auditKey);
    expect(rest).toEqual([]);
    expect(statement!.Condition).toEqual({ StringEquals: { 'kms:SigningAlgorithm': 'ECDSA_SHA_256', 'kms:MessageType': 'RAW' } });
    for (const name of ALL.filter((a) => a !== 'audit')) expect(grantsOn(name, 'kms:Sign', dataIds.auditKey)).toEqual([]);
  });

  it('gives the audit function the audit key, the table, the token public key and the auditors, and nothing else', () => {
    const statements = statementsOf('audit');
    const kms = statements.filter((s) => actionsOf(s).some((a) => a.startsWith('kms:')));
    // The audit key (sign, public key) and the table's key through DynamoDB only.
    const onAuditKey = kms.filter((s) => refersTo(s.Resource, dataIds.auditKey)).flatMap(actionsOf);
    expect(onAuditKey.sort()).toEqual(['kms:GetPublicKey', 'kms:Sign']);
    for (const s of kms.filter((s) => !refersTo(s.Resource, dataIds.auditKey) && !refersTo(s.Resource, dataIds.signingKey))) {
      expect(refersTo(s.Resource, dataIds.storageKey)).toBe(true);
      expect(JSON.stringify(s.Condition)).toContain('kms:ViaService');
    }
    expect(grantsOn('audit', 'kms:GetPublicKey', dataIds.auditKey)).toHaveLength(1);
    // The token key: its public key only (bearer tokens on the audit routes).
    expect(statements.filter((s) => refersTo(s.Resource, dataIds.signingKey)).flatMap(actionsOf)).toEqual(['kms:GetPublicKey']);
    for (const key of [dataIds.macKey, dataIds.dataKey]) {
      expect(statements.filter((s) => refersTo(s.Resource, key))).toEqual([]);
    }
    const all = statements.flatMap(actionsOf);
    for (const forbidden of ['dynamodb:Scan', 'dynamodb:DeleteItem', 'dynamodb:BatchWriteItem', 's3:GetObject', 's3:DeleteObject']) {
      expect(all).not.toContain(forbidden);
    }
    // UpdateItem: chain heads only (its own request events), on audit partitions, never an index.
    const updates = statements.filter((s) => actionsOf(s).includes('dynamodb:UpdateItem'));
    expect(updates).toHaveLength(1);
    expect(actionsOf(updates[0]!)).toEqual(['dynamodb:UpdateItem']);
    expect(updates[0]!.Condition).toEqual({ 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['AUDIT#*'] } });
    expect(JSON.stringify(updates[0]!.Resource)).not.toContain('/index/');
    // Its one S3 action: PutObject in the audit archive (test/infra/auditArchive.test.ts).
    const s3 = statements.filter((s) => actionsOf(s).some((a) => a.startsWith('s3:')));
    expect(s3.flatMap(actionsOf)).toEqual(['s3:PutObject']);
    expect(refersTo(s3[0]!.Resource, dataIds.bucket)).toBe(false);
    const [, fn] = functionOf('audit');
    expect(Object.keys(fn.Properties.Environment.Variables)).toEqual(expect.arrayContaining(['TABLE_NAME', 'AUDIT_KEY_ID', 'SIGNING_KEY_ID', SETTINGS_ENV.auditors]));
    expect(fn.Properties.Environment.Variables[SETTINGS_ENV.auditors]).toBe(coffer.stacks.config.auditors.join(','));
    expect(fn.Properties.Environment.Variables).not.toHaveProperty('BUCKET_NAME');
    expect(fn.Properties.Environment.Variables).not.toHaveProperty('MAC_KEY_ID');
    expect(fn.Properties.Environment.Variables).not.toHaveProperty('DATA_KEY_ID');
  });
});

describe('least privilege', () => {
  it('lets only auth sign tokens, and only with the signing key', () => {
    expect(grantsOn('auth', 'kms:Sign', dataIds.signingKey)).toHaveLength(1);
    expect(grantsOn('auth', 'kms:Sign')).toHaveLength(1);
    for (const name of ALL.filter((a) => a !== 'auth' && a !== 'audit')) expect(grantsOn(name, 'kms:Sign')).toEqual([]);
    expect(grantsOn('audit', 'kms:Sign', dataIds.signingKey)).toEqual([]);
  });

  it('lets only auth decrypt with the data key, and only with an encryption context', () => {
    const [statement, ...rest] = grantsOn('auth', 'kms:Decrypt', dataIds.dataKey);
    expect(rest).toEqual([]);
    expect(statement!.Condition).toMatchObject({ Null: { 'kms:EncryptionContextKeys': 'false' } });
    for (const name of ALL.filter((a) => a !== 'auth')) expect(grantsOn(name, 'kms:Decrypt', dataIds.dataKey)).toEqual([]);
  });

  it('lets only users encrypt with the data key', () => {
    expect(grantsOn('users', 'kms:Encrypt', dataIds.dataKey)).toHaveLength(1);
    for (const name of ALL.filter((a) => a !== 'users')) expect(grantsOn(name, 'kms:Encrypt', dataIds.dataKey)).toEqual([]);
  });

  it('gives documents no signing, MAC or data-key use', () => {
    for (const action of ['kms:Sign', 'kms:GenerateMac']) expect(grantsOn('documents', action)).toEqual([]);
    const dataKeyUse = statementsOf('documents').filter((s) => list(s.Resource).some((r) => refersTo(r, dataIds.dataKey)));
    expect(dataKeyUse).toEqual([]);
  });

  it('gives health nothing beyond its own log group', () => {
    const actions = statementsOf('health').flatMap(actionsOf);
    expect(actions.sort()).toEqual(['logs:CreateLogStream', 'logs:PutLogEvents']);
  });

  it('limits object access to the docs/ prefix of the documents bucket, for the functions that presign or purge objects only', () => {
    const objectActions: Partial<Record<FunctionName, string[]>> = {
      documents: ['s3:AbortMultipartUpload', 's3:DeleteObject', 's3:GetObject', 's3:ListMultipartUploadParts', 's3:PutObject'],
      // recursive delete
      folders: ['s3:AbortMultipartUpload', 's3:DeleteObject', 's3:GetObject', 's3:ListMultipartUploadParts', 's3:PutObject'],
      // presigned GETs of a link's document
      links: ['s3:GetObject'],
      // purges of abandoned uploads and interrupted deletes
      cleanup: ['s3:AbortMultipartUpload', 's3:DeleteObject'],
    };
    for (const [name, actions] of Object.entries(objectActions) as [FunctionName, string[]][]) {
      const objectStatements = statementsOf(name).filter((s) => actionsOf(s).some((a) => a.startsWith('s3:') && a !== 's3:ListBucket'));
      expect(objectStatements).toHaveLength(1);
      expect(actionsOf(objectStatements[0]!).sort()).toEqual(actions);
      const [resource, ...others] = list(objectStatements[0]!.Resource);
      expect(others).toEqual([]);
      expect(refersTo(resource, dataIds.bucket)).toBe(true);
      expect(JSON.stringify(resource)).toContain(`"/${DEFAULTS.documentObjectPrefix}*"`);
    }
    expect(objectKey('AAAAAAAAAAAAAAAAAAAAAA', 1).startsWith(DEFAULTS.documentObjectPrefix)).toBe(true);
    // The audit job puts objects in the audit archive only (test/infra/auditArchive.test.ts).
    for (const name of ALL.filter((n) => !(n in objectActions) && n !== 'audit')) {
      expect(statementsOf(name).flatMap(actionsOf).filter((a) => a.startsWith('s3:'))).toEqual([]);
    }
  });

  it('gives links read-only presigning: GetObject, and Decrypt with the storage key only through S3', () => {
    for (const action of ['s3:PutObject', 's3:DeleteObject', 's3:AbortMultipartUpload', 'kms:Sign']) {
      expect(grantsOn('links', action)).toEqual([]);
    }
    // Through S3: Decrypt only (no GenerateDataKey: a link never writes an object).
    const [throughS3, ...rest] = statementsOf('links').filter((s) => String(JSON.stringify(s.Condition?.StringEquals?.['kms:ViaService'])).includes('"s3.'));
    expect(rest).toEqual([]);
    expect(actionsOf(throughS3!)).toEqual(['kms:Decrypt']);
    expect(list(throughS3!.Resource).every((r) => refersTo(r, dataIds.storageKey))).toBe(true);
    expect(grantsOn('links', 'kms:Decrypt', dataIds.dataKey)).toEqual([]);
    // Password verifiers are KMS MACs; openLink verifies an optional bearer token.
    expect(grantsOn('links', 'kms:GenerateMac', dataIds.macKey)).toHaveLength(1);
    expect(grantsOn('links', 'kms:GetPublicKey', dataIds.signingKey)).toHaveLength(1);
  });

  it('gives the cleanup job exactly its table items, object deletes and the table key through DynamoDB', () => {
    const statements = statementsOf('cleanup');
    const actions = [...new Set(statements.flatMap(actionsOf))].sort();
    expect(actions).toEqual(
      [
        'dynamodb:BatchWriteItem',
        'dynamodb:DeleteItem',
        'dynamodb:GetItem',
        'dynamodb:PutItem',
        'dynamodb:Query',
        'dynamodb:UpdateItem',
        // The table's customer-managed key, used by DynamoDB on the job's behalf.
        'kms:Decrypt',
        'kms:DescribeKey',
        'kms:Encrypt',
        'kms:GenerateDataKey',
        'logs:CreateLogStream',
        'logs:PutLogEvents',
        's3:AbortMultipartUpload',
        's3:DeleteObject',
      ].sort(),
    );
    for (const forbidden of ['kms:Sign', 'kms:Verify', 'kms:GenerateMac', 'kms:GetPublicKey', 's3:GetObject', 's3:PutObject', 'dynamodb:Scan']) {
      expect(actions).not.toContain(forbidden);
    }
    // Every KMS statement is the table key, only through DynamoDB: no signing, MAC, data or S3 key use.
    for (const statement of statements.filter((s) => actionsOf(s).some((a) => a.startsWith('kms:')))) {
      for (const resource of list(statement.Resource)) expect(refersTo(resource, dataIds.storageKey)).toBe(true);
      expect(JSON.stringify(statement.Condition?.StringEquals?.['kms:ViaService'])).toMatch(/"dynamodb\./);
    }
    // The table and its indexes by name, as for the API.
    const [table, ...rest] = statements.filter((s) => actionsOf(s).includes('dynamodb:Query'));
    expect(rest).toEqual([]);
    const tableResources = list(table!.Resource).map((r) => JSON.stringify(r));
    expect(tableResources.every((r) => r.includes(dataIds.table))).toBe(true);
    expect(tableResources.filter((r) => r.includes('/index/'))).toHaveLength(TABLE.indexes.length);
  });

  it('uses the storage key only through DynamoDB and S3', () => {
    for (const area of ALL) {
      for (const statement of statementsOf(area).filter((s) => list(s.Resource).some((r) => refersTo(r, dataIds.storageKey)))) {
        expect(JSON.stringify(statement.Condition?.StringEquals?.['kms:ViaService'])).toMatch(/"(dynamodb|s3)\./);
      }
    }
  });

  it('names each table index instead of index/*', () => {
    const tableStatements = statementsOf('documents').filter((s) => actionsOf(s).includes('dynamodb:Query'));
    expect(tableStatements).toHaveLength(1);
    const resourcesJson = list(tableStatements[0]!.Resource).map((r) => JSON.stringify(r));
    expect(resourcesJson.filter((r) => r.includes('/index/'))).toHaveLength(TABLE.indexes.length);
    expect(resourcesJson.join()).not.toContain('index/*');
    expect(grantsOn('documents', 'dynamodb:Scan')).toEqual([]);
  });

  it('has no statement with Resource "*" for KMS or S3, and no wildcard actions', () => {
    for (const template of [coffer.api, coffer.data]) {
      for (const [, policy] of Object.entries(template.findResources('AWS::IAM::Policy')) as [string, Resource][]) {
        for (const statement of policy.Properties.PolicyDocument.Statement as Statement[]) {
          for (const action of actionsOf(statement)) expect(action).not.toContain('*');
          if (actionsOf(statement).some((a) => a.startsWith('kms:') || a.startsWith('s3:'))) {
            expect(list(statement.Resource)).not.toContain('*');
          }
        }
      }
    }
  });
});

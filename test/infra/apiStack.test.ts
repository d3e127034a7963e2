import { Match, type Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { functionDescription } from '../../infra/constructs/CofferFunction.js';
import { DEFAULTS } from '../../infra/defaults.js';
import { objectKey } from '../../shared/data/keys.js';
import { AREAS, type Area, ROUTES } from '../../shared/routes.js';
import { logicalIdOf, type SynthesizedCoffer, synthCoffer } from './synthCoffer.js';

type Resource = { Type: string; Properties: Record<string, any> };
type Statement = { Effect: string; Action: string | string[]; Resource: unknown; Condition?: Record<string, any> };

let coffer: SynthesizedCoffer;
let api: Template;
/** Logical ids in the data stack; the API stack refers to them through cross-stack outputs. */
let dataIds: { storageKey: string; dataKey: string; signingKey: string; macKey: string; table: string; bucket: string };

beforeAll(() => {
  coffer = synthCoffer();
  api = coffer.api;
  const stack = coffer.stacks.data;
  dataIds = {
    storageKey: logicalIdOf(stack, stack.keys.storageKey.node.defaultChild),
    dataKey: logicalIdOf(stack, stack.keys.dataKey.node.defaultChild),
    signingKey: logicalIdOf(stack, stack.keys.signingKey.node.defaultChild),
    macKey: logicalIdOf(stack, stack.keys.macKey.node.defaultChild),
    table: logicalIdOf(stack, stack.table.node.defaultChild),
    bucket: logicalIdOf(stack, stack.documentsBucket.node.defaultChild),
  };
});

function resources(type: string): [string, Resource][] {
  return Object.entries(api.findResources(type)) as [string, Resource][];
}

function functionOf(area: Area): [string, Resource] {
  const found = resources('AWS::Lambda::Function').filter(([, r]) => r.Properties.Description === functionDescription(area));
  expect(found).toHaveLength(1);
  return found[0]!;
}

/** Every statement of every IAM policy attached to the area's function role. */
function statementsOf(area: Area): Statement[] {
  const [, fn] = functionOf(area);
  const roleId = (fn.Properties.Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
  return resources('AWS::IAM::Policy')
    .filter(([, p]) => (p.Properties.Roles as unknown[]).some((r) => JSON.stringify(r) === JSON.stringify({ Ref: roleId })))
    .flatMap(([, p]) => p.Properties.PolicyDocument.Statement as Statement[]);
}

const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : [value]);
const actionsOf = (s: Statement): string[] => list(s.Action) as string[];
/** Whether a (cross-stack) resource expression refers to the data stack's resource with this logical id. */
const refersTo = (resource: unknown, logicalId: string): boolean => JSON.stringify(resource).includes(logicalId);

function grantsOn(area: Area, action: string, logicalId?: string): Statement[] {
  return statementsOf(area).filter(
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

describe('functions', () => {
  it('has one function per area', () => {
    expect(resources('AWS::Lambda::Function')).toHaveLength(AREAS.length);
    for (const area of AREAS) functionOf(area);
  });

  it('runs Node.js 22 or newer on arm64 with its own log group', () => {
    for (const area of AREAS) {
      const [, fn] = functionOf(area);
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
    const expected: Record<Area, string[]> = {
      health: [],
      users: ['TABLE_NAME', 'MAC_KEY_ID', 'DATA_KEY_ID', 'SIGNING_KEY_ID'],
      auth: ['TABLE_NAME', 'SIGNING_KEY_ID', 'MAC_KEY_ID', 'DATA_KEY_ID'],
      documents: ['TABLE_NAME', 'BUCKET_NAME', 'SIGNING_KEY_ID'],
      folders: ['TABLE_NAME', 'BUCKET_NAME', 'SIGNING_KEY_ID'],
      sharing: ['TABLE_NAME', 'SIGNING_KEY_ID'],
      groups: ['TABLE_NAME', 'SIGNING_KEY_ID'],
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
});

describe('least privilege', () => {
  it('lets only auth sign, and only with the signing key', () => {
    expect(grantsOn('auth', 'kms:Sign', dataIds.signingKey)).toHaveLength(1);
    expect(grantsOn('auth', 'kms:Sign')).toHaveLength(1);
    for (const area of AREAS.filter((a) => a !== 'auth')) expect(grantsOn(area, 'kms:Sign')).toEqual([]);
  });

  it('lets only auth decrypt with the data key, and only with an encryption context', () => {
    const [statement, ...rest] = grantsOn('auth', 'kms:Decrypt', dataIds.dataKey);
    expect(rest).toEqual([]);
    expect(statement!.Condition).toMatchObject({ Null: { 'kms:EncryptionContextKeys': 'false' } });
    for (const area of AREAS.filter((a) => a !== 'auth')) expect(grantsOn(area, 'kms:Decrypt', dataIds.dataKey)).toEqual([]);
  });

  it('lets only users encrypt with the data key', () => {
    expect(grantsOn('users', 'kms:Encrypt', dataIds.dataKey)).toHaveLength(1);
    for (const area of AREAS.filter((a) => a !== 'users')) expect(grantsOn(area, 'kms:Encrypt', dataIds.dataKey)).toEqual([]);
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

  it('limits object access to the docs/ prefix of the documents bucket, for documents and folders (recursive delete) only', () => {
    for (const area of ['documents', 'folders'] as const) {
      const objectStatements = statementsOf(area).filter((s) => actionsOf(s).some((a) => a.startsWith('s3:') && a !== 's3:ListBucket'));
      expect(objectStatements).toHaveLength(1);
      const [resource] = list(objectStatements[0]!.Resource);
      expect(refersTo(resource, dataIds.bucket)).toBe(true);
      expect(JSON.stringify(resource)).toContain(`"/${DEFAULTS.documentObjectPrefix}*"`);
    }
    expect(objectKey('AAAAAAAAAAAAAAAAAAAAAA', 1).startsWith(DEFAULTS.documentObjectPrefix)).toBe(true);
    for (const area of AREAS.filter((a) => a !== 'documents' && a !== 'folders')) {
      expect(statementsOf(area).flatMap(actionsOf).filter((a) => a.startsWith('s3:'))).toEqual([]);
    }
  });

  it('uses the storage key only through DynamoDB and S3', () => {
    for (const area of AREAS) {
      for (const statement of statementsOf(area).filter((s) => list(s.Resource).some((r) => refersTo(r, dataIds.storageKey)))) {
        expect(JSON.stringify(statement.Condition?.StringEquals?.['kms:ViaService'])).toMatch(/"(dynamodb|s3)\./);
      }
    }
  });

  it('names each table index instead of index/*', () => {
    const tableStatements = statementsOf('documents').filter((s) => actionsOf(s).includes('dynamodb:Query'));
    expect(tableStatements).toHaveLength(1);
    const resourcesJson = list(tableStatements[0]!.Resource).map((r) => JSON.stringify(r));
    expect(resourcesJson.filter((r) => r.includes('/index/'))).toHaveLength(2);
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

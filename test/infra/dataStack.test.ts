import { Match, type Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { TABLE } from '../../shared/server/data/tableDefinition.js';
import { jobDescription } from '../../infra/constructs/CofferFunction.js';
import { logicalIdOf, renderForTestEnv, type SynthesizedCoffer, synthCoffer, TEST_ENV } from './synthCoffer.js';

type Resource = { Type: string; Properties: Record<string, any>; DeletionPolicy?: string; UpdateReplacePolicy?: string };

let coffer: SynthesizedCoffer;
let data: Template;
let keyIds: { storageKey: string; dataKey: string; signingKey: string; macKey: string };
let documentsBucketId: string;

beforeAll(() => {
  coffer = synthCoffer();
  data = coffer.data;
  const stack = coffer.stacks.data;
  const { storageKey, dataKey, signingKey, macKey } = stack.keys;
  keyIds = {
    storageKey: logicalIdOf(stack, storageKey.node.defaultChild),
    dataKey: logicalIdOf(stack, dataKey.node.defaultChild),
    signingKey: logicalIdOf(stack, signingKey.node.defaultChild),
    macKey: logicalIdOf(stack, macKey.node.defaultChild),
  };
  documentsBucketId = logicalIdOf(stack, stack.documentsBucket.node.defaultChild);
});

function resources(type: string, props: Record<string, unknown> = {}): [string, Resource][] {
  return Object.entries(data.findResources(type, props)) as [string, Resource][];
}

function resource(id: string): Resource {
  const found = data.toJSON().Resources[id] as Resource | undefined;
  if (!found) throw new Error(`no resource ${id}`);
  return found;
}

describe('KMS keys', () => {
  it('rotates both symmetric encryption keys', () => {
    for (const id of [keyIds.storageKey, keyIds.dataKey]) {
      const props = resource(id).Properties;
      expect(props.KeySpec ?? 'SYMMETRIC_DEFAULT').toBe('SYMMETRIC_DEFAULT');
      expect(props.EnableKeyRotation).toBe(true);
    }
  });

  it('rotates every symmetric key in the stack, not just the two named ones', () => {
    const symmetric = resources('AWS::KMS::Key').filter(([, r]) => (r.Properties.KeySpec ?? 'SYMMETRIC_DEFAULT') === 'SYMMETRIC_DEFAULT');
    expect(symmetric).toHaveLength(2);
    for (const [, r] of symmetric) expect(r.Properties.EnableKeyRotation).toBe(true);
  });

  it('makes the signing key an ECC P-256 sign/verify key', () => {
    expect(resource(keyIds.signingKey).Properties).toMatchObject({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' });
  });

  it('makes the audit key a P-256 sign/verify key of its own', () => {
    const stack = coffer.stacks.data;
    const auditId = logicalIdOf(stack, stack.keys.auditKey.node.defaultChild);
    expect(auditId).not.toBe(keyIds.signingKey);
    expect(resource(auditId).Properties).toMatchObject({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' });
  });

  it('makes the MAC key an HMAC-256 generate/verify key', () => {
    expect(resource(keyIds.macKey).Properties).toMatchObject({ KeySpec: 'HMAC_256', KeyUsage: 'GENERATE_VERIFY_MAC' });
  });

  it('retains every key on stack deletion and replacement', () => {
    const keys = resources('AWS::KMS::Key');
    expect(keys).toHaveLength(5);
    for (const [, r] of keys) {
      expect(r.DeletionPolicy).toBe('Retain');
      expect(r.UpdateReplacePolicy).toBe('Retain');
    }
  });
});

describe('audit key policy', () => {
  type KeyStatement = { Sid?: string; Effect: string; Principal: unknown; Action: string | string[]; Resource: unknown; Condition?: Record<string, any> };
  const statements = (): KeyStatement[] => {
    const stack = coffer.stacks.data;
    return resource(logicalIdOf(stack, stack.keys.auditKey.node.defaultChild)).Properties.KeyPolicy.Statement as KeyStatement[];
  };
  const actions = (s: KeyStatement): string[] => (Array.isArray(s.Action) ? s.Action : [s.Action]);
  const root = `arn:aws:iam::${TEST_ENV.account}:root`;

  /** The audit job role's name and ARN as the API stack deploys them. */
  function auditRole(): { name: string; arn: string } {
    const functions = Object.values(coffer.api.findResources('AWS::Lambda::Function')) as Resource[];
    const fn = functions.find((f) => f.Properties.Description === jobDescription('audit'))!;
    const roleId = (fn.Properties.Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
    const name = renderForTestEnv((coffer.api.toJSON().Resources[roleId] as Resource).Properties.RoleName);
    return { name, arn: `arn:aws:iam::${TEST_ENV.account}:role/${name}` };
  }

  it('gives the audit job role a fixed name per stage and region', () => {
    expect(auditRole().name).toBe(`coffer-dev-audit-job-${TEST_ENV.region}`);
  });

  it('denies kms:Sign to every principal but the audit job role, the account root included', () => {
    const denies = statements().filter((s) => s.Effect === 'Deny' && actions(s).some((a) => a === 'kms:Sign' || a === 'kms:*'));
    expect(denies).toHaveLength(1);
    const [deny] = denies as [KeyStatement];
    expect(deny.Principal).toEqual({ AWS: '*' });
    expect(deny.Resource).toBe('*');
    expect(actions(deny)).toEqual(['kms:Sign']);
    expect(Object.keys(deny.Condition!)).toEqual(['StringNotEquals']);
    expect(Object.keys(deny.Condition!.StringNotEquals)).toEqual(['aws:PrincipalArn']);
    expect(renderForTestEnv(deny.Condition!.StringNotEquals['aws:PrincipalArn'])).toBe(auditRole().arn);
  });

  it('allows only the account (key administration and IAM delegation), so kms:Sign is left to the audit job role', () => {
    const allows = statements().filter((s) => s.Effect === 'Allow');
    expect(allows.length).toBeGreaterThan(0);
    // No principal but the account is named: signing is possible only through an IAM grant,
    // and the Deny above lets that grant work for the audit job role alone.
    for (const s of allows) expect(s.Principal).toEqual({ AWS: root });
    expect(allows.flatMap(actions)).toContain('kms:*');
  });

  it('is the only key with that Deny: the token signing key is not restricted to the audit job', () => {
    const stack = coffer.stacks.data;
    const signing = resource(logicalIdOf(stack, stack.keys.signingKey.node.defaultChild)).Properties.KeyPolicy.Statement as KeyStatement[];
    expect(signing.filter((s) => s.Effect === 'Deny')).toEqual([]);
  });
});

describe('table', () => {
  let table: Resource;
  beforeAll(() => {
    const tables = resources('AWS::DynamoDB::GlobalTable');
    expect(tables).toHaveLength(1);
    table = tables[0]![1];
  });

  it('is on-demand and keyed as shared/server/data/tableDefinition says', () => {
    expect(table.Properties.BillingMode).toBe('PAY_PER_REQUEST');
    expect(table.Properties.KeySchema).toEqual([
      { AttributeName: TABLE.partitionKey, KeyType: 'HASH' },
      { AttributeName: TABLE.sortKey, KeyType: 'RANGE' },
    ]);
  });

  it('has exactly the GSIs of the table definition', () => {
    const expected = TABLE.indexes.map((index) => ({
      IndexName: index.name,
      KeySchema: [
        { AttributeName: index.partitionKey, KeyType: 'HASH' },
        { AttributeName: index.sortKey, KeyType: 'RANGE' },
      ],
      Projection: { ProjectionType: 'ALL' },
    }));
    expect(table.Properties.GlobalSecondaryIndexes).toEqual(expected);
    expect(TABLE.indexes.map((i) => i.name)).toEqual(['gsi1', 'gsi2', 'gsi3']);
  });

  it('enables TTL on the definition’s attribute', () => {
    expect(table.Properties.TimeToLiveSpecification).toEqual({ AttributeName: TABLE.ttlAttribute, Enabled: true });
  });

  it('has point-in-time recovery and deletion protection in every replica', () => {
    const replicas = table.Properties.Replicas as Record<string, any>[];
    expect(replicas.length).toBeGreaterThan(0);
    for (const replica of replicas) {
      expect(replica.PointInTimeRecoverySpecification).toEqual({ PointInTimeRecoveryEnabled: true });
      expect(replica.DeletionProtectionEnabled).toBe(true);
    }
  });

  it('is encrypted with the customer-managed storage key', () => {
    expect(table.Properties.SSESpecification).toEqual({ SSEEnabled: true, SSEType: 'KMS' });
    for (const replica of table.Properties.Replicas as Record<string, any>[]) {
      expect(replica.SSESpecification).toEqual({ KMSMasterKeyId: { 'Fn::GetAtt': [keyIds.storageKey, 'Arn'] } });
    }
  });

  it('is retained on stack deletion', () => {
    expect(table.DeletionPolicy).toBe('Retain');
  });
});

describe('documents bucket', () => {
  let bucket: Resource;
  beforeAll(() => {
    bucket = resource(documentsBucketId);
  });

  it('uses SSE-KMS with the storage key and an S3 bucket key', () => {
    expect(bucket.Properties.BucketEncryption).toEqual({
      ServerSideEncryptionConfiguration: [
        {
          BucketKeyEnabled: true,
          ServerSideEncryptionByDefault: {
            SSEAlgorithm: 'aws:kms',
            KMSMasterKeyID: { 'Fn::GetAtt': [keyIds.storageKey, 'Arn'] },
          },
        },
      ],
    });
  });

  it('declares no CORS: the web stack owns it, as it alone knows the app origin (test/infra/webStack.test.ts)', () => {
    expect(bucket.Properties.CorsConfiguration).toBeUndefined();
  });

  it('aborts incomplete multipart uploads after one day', () => {
    expect(bucket.Properties.LifecycleConfiguration.Rules).toContainEqual(
      expect.objectContaining({ AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 }, Status: 'Enabled' }),
    );
  });

  it('is not versioned, so deleting a document is final', () => {
    expect(bucket.Properties.VersioningConfiguration).toBeUndefined();
  });

  it('sends server access logs to the access-log bucket', () => {
    // The access-log bucket: the one bucket that logs nowhere itself.
    const [[logBucketId], ...others] = resources('AWS::S3::Bucket').filter(([, r]) => r.Properties.LoggingConfiguration === undefined) as [[string, Resource]];
    expect(others).toEqual([]);
    expect(bucket.Properties.LoggingConfiguration).toEqual({
      DestinationBucketName: { Ref: logBucketId },
      LogFilePrefix: expect.any(String),
    });
  });
});

describe('every bucket', () => {
  it('blocks all public access, disables ACLs and is retained', () => {
    const buckets = resources('AWS::S3::Bucket');
    // Documents, access logs, audit archive.
    expect(buckets).toHaveLength(3);
    for (const [, r] of buckets) {
      expect(r.Properties.PublicAccessBlockConfiguration).toEqual({
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      });
      expect(r.Properties.OwnershipControls).toEqual({ Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] });
      expect(r.DeletionPolicy).toBe('Retain');
    }
  });

  it('has a policy denying requests without TLS', () => {
    for (const [id] of resources('AWS::S3::Bucket')) {
      data.hasResourceProperties('AWS::S3::BucketPolicy', {
        Bucket: { Ref: id },
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Effect: 'Deny',
              Principal: { AWS: '*' },
              Action: 's3:*',
              Condition: { Bool: { 'aws:SecureTransport': 'false' } },
            }),
          ]),
        },
      });
    }
  });

  it('never allows a wildcard CORS origin', () => {
    for (const [, r] of resources('AWS::S3::Bucket')) {
      for (const rule of (r.Properties.CorsConfiguration?.CorsRules ?? []) as Record<string, any>[]) {
        for (const origin of rule.AllowedOrigins as string[]) expect(origin).not.toContain('*');
      }
    }
  });
});

describe('outputs', () => {
  it('names the table and the bucket', () => {
    data.hasOutput('TableName', { Value: { Ref: logicalIdOf(coffer.stacks.data, coffer.stacks.data.table.node.defaultChild) } });
    data.hasOutput('BucketName', { Value: { Ref: documentsBucketId } });
  });
});

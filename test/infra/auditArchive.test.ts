import type { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { CONTEXT_KEYS } from '../../infra/config.js';
import { jobDescription } from '../../infra/constructs/CofferFunction.js';
import { DEFAULTS } from '../../infra/defaults.js';
import { logicalIdOf, renderForTestEnv, type SynthesizedCoffer, synthCoffer, TEST_ENV } from './synthCoffer.js';

type Resource = { Type: string; Properties: Record<string, any>; DeletionPolicy?: string; UpdateReplacePolicy?: string };
type Statement = { Sid?: string; Effect: string; Principal?: unknown; Action: string | string[]; Resource: unknown; Condition?: Record<string, any> };

const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : [value]);
const actionsOf = (s: Statement): string[] => list(s.Action) as string[];
const resourcesOf = (template: Template, type: string): [string, Resource][] => Object.entries(template.findResources(type)) as [string, Resource][];

/** The audit archive (docs/audit.md, "Archive"): Object Lock in compliance mode, written by the audit job only. */
let coffer: SynthesizedCoffer;
let bucketId: string;
let bucket: Resource;

beforeAll(() => {
  coffer = synthCoffer();
  const stack = coffer.stacks.data;
  expect(stack.auditArchiveBucket).toBeDefined();
  bucketId = logicalIdOf(stack, stack.auditArchiveBucket!.node.defaultChild);
  bucket = coffer.data.toJSON().Resources[bucketId] as Resource;
});

/** The audit function's role id in the API stack. */
function auditRoleId(template: Template): string {
  const [fn] = resourcesOf(template, 'AWS::Lambda::Function').filter(([, r]) => r.Properties.Description === jobDescription('audit'));
  return (fn![1].Properties.Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
}

/** Every identity-policy statement in both stacks, with the roles it is attached to. */
function identityStatements(): { roles: string[]; statement: Statement }[] {
  return [coffer.data, coffer.api].flatMap((template) =>
    resourcesOf(template, 'AWS::IAM::Policy').flatMap(([, p]) =>
      (p.Properties.PolicyDocument.Statement as Statement[]).map((statement) => ({
        roles: (p.Properties.Roles as { Ref: string }[]).map((r) => r.Ref),
        statement,
      })),
    ),
  );
}

const onArchive = (statement: Statement) => list(statement.Resource).some((r) => JSON.stringify(r).includes(bucketId));

describe('audit archive bucket', () => {
  it('has Object Lock with a COMPLIANCE default retention of the configured days (7 years by default)', () => {
    expect(bucket.Properties.ObjectLockEnabled).toBe(true);
    expect(bucket.Properties.ObjectLockConfiguration).toEqual({
      ObjectLockEnabled: 'Enabled',
      Rule: { DefaultRetention: { Mode: 'COMPLIANCE', Days: 2557 } },
    });
  });

  it('takes the retention from coffer:auditArchiveRetentionDays', () => {
    const { data, stacks } = synthCoffer({ [CONTEXT_KEYS.auditArchiveRetentionDays]: '3653' });
    const id = logicalIdOf(stacks.data, stacks.data.auditArchiveBucket!.node.defaultChild);
    expect((data.toJSON().Resources[id] as Resource).Properties.ObjectLockConfiguration.Rule).toEqual({
      DefaultRetention: { Mode: 'COMPLIANCE', Days: 3653 },
    });
  });

  it('is versioned, private, encrypted, logged and retained, with no lifecycle rule that could expire anything', () => {
    expect(bucket.Properties.VersioningConfiguration).toEqual({ Status: 'Enabled' });
    expect(bucket.Properties.PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    });
    expect(bucket.Properties.BucketEncryption.ServerSideEncryptionConfiguration).toEqual([
      { ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } },
    ]);
    expect(bucket.Properties.LoggingConfiguration).toEqual({ DestinationBucketName: { Ref: expect.any(String) }, LogFilePrefix: 'audit-archive/' });
    expect(bucket.Properties.LifecycleConfiguration).toBeUndefined();
    expect(bucket.DeletionPolicy).toBe('Retain');
    expect(bucket.UpdateReplacePolicy).toBe('Retain');
  });

  it('has a bucket policy that denies non-TLS requests, every writer but the audit job, and every delete or retention change', () => {
    const policies = resourcesOf(coffer.data, 'AWS::S3::BucketPolicy').filter(([, p]) => JSON.stringify(p.Properties.Bucket) === JSON.stringify({ Ref: bucketId }));
    expect(policies).toHaveLength(1);
    const statements = policies[0]![1].Properties.PolicyDocument.Statement as Statement[];
    for (const s of statements) expect(s.Effect).toBe('Deny');
    expect(statements).toContainEqual(expect.objectContaining({ Action: 's3:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }));

    const writers = statements.find((s) => actionsOf(s).includes('s3:PutObject'))!;
    expect(writers.Principal).toEqual({ AWS: '*' });
    const arn = renderForTestEnv(writers.Condition!.StringNotEquals['aws:PrincipalArn']);
    const roleName = renderForTestEnv((coffer.api.toJSON().Resources[auditRoleId(coffer.api)] as Resource).Properties.RoleName);
    expect(arn).toBe(`arn:aws:iam::${TEST_ENV.account}:role/${roleName}`);

    const deletes = statements.find((s) => actionsOf(s).includes('s3:DeleteObject'))!;
    expect(deletes.Principal).toEqual({ AWS: '*' });
    expect(deletes.Condition).toBeUndefined();
    expect(actionsOf(deletes).sort()).toEqual(['s3:BypassGovernanceRetention', 's3:DeleteObject', 's3:DeleteObjectVersion', 's3:PutObjectRetention']);
  });

  it('outputs its name', () => {
    coffer.data.hasOutput('AuditArchiveBucketName', { Value: { Ref: bucketId } });
  });
});

describe('who may use the archive', () => {
  it('lets the audit function PutObject under audit/, and nothing else', () => {
    const auditRole = auditRoleId(coffer.api);
    const grants = identityStatements().filter(({ statement }) => onArchive(statement));
    expect(grants).toHaveLength(1);
    const [{ roles, statement }] = grants as [{ roles: string[]; statement: Statement }];
    expect(roles).toEqual([auditRole]);
    expect(statement.Effect).toBe('Allow');
    expect(actionsOf(statement)).toEqual(['s3:PutObject']);
    expect(JSON.stringify(statement.Resource)).toContain(`"/${DEFAULTS.auditArchiveObjectPrefix}*"`);
    const fn = resourcesOf(coffer.api, 'AWS::Lambda::Function').find(([, r]) => r.Properties.Description === jobDescription('audit'))![1];
    expect(JSON.stringify(fn.Properties.Environment.Variables.AUDIT_ARCHIVE_BUCKET)).toContain(bucketId);
  });

  it('gives no role a delete, retention or governance-bypass action on any bucket, nor any S3 wildcard', () => {
    for (const { statement } of identityStatements().filter(({ statement }) => statement.Effect === 'Allow')) {
      for (const action of actionsOf(statement)) {
        if (onArchive(statement)) expect(action).not.toMatch(/^s3:(Delete|PutObjectRetention|BypassGovernanceRetention|PutBucketObjectLock)/);
        expect(action).not.toMatch(/^s3:(PutObjectRetention|BypassGovernanceRetention|PutBucketObjectLockConfiguration|\*)$/);
        expect(action).not.toBe('*');
      }
    }
  });
});

describe('archiving off (coffer:auditArchive=false)', () => {
  it('creates no archive bucket, and the audit job has no S3 grant and no archive bucket variable', () => {
    const off = synthCoffer({ [CONTEXT_KEYS.auditArchive]: 'false' });
    expect(off.stacks.data.auditArchiveBucket).toBeUndefined();
    for (const [, b] of resourcesOf(off.data, 'AWS::S3::Bucket')) expect(b.Properties.ObjectLockEnabled).toBeUndefined();
    expect(resourcesOf(off.data, 'AWS::S3::Bucket')).toHaveLength(2);
    const auditRole = auditRoleId(off.api);
    const auditStatements = resourcesOf(off.api, 'AWS::IAM::Policy')
      .filter(([, p]) => (p.Properties.Roles as { Ref: string }[]).some((r) => r.Ref === auditRole))
      .flatMap(([, p]) => p.Properties.PolicyDocument.Statement as Statement[]);
    expect(auditStatements.flatMap(actionsOf).filter((a) => a.startsWith('s3:'))).toEqual([]);
    const fn = resourcesOf(off.api, 'AWS::Lambda::Function').find(([, r]) => r.Properties.Description === jobDescription('audit'))![1];
    expect(fn.Properties.Environment.Variables).not.toHaveProperty('AUDIT_ARCHIVE_BUCKET');
  });
});

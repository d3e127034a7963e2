import { App, Stack, Validations } from 'aws-cdk-lib';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { beforeAll, describe, expect, it } from 'vitest';
import { ROUTES } from '../../shared/core/api/routes.js';
import { type SynthesizedCoffer, synthCoffer } from './synthCoffer.js';

/**
 * cdk-nag 3 is a policy-validation plugin: findings go to the validation report
 * (and make synthesis throw), not to construct annotations. `validateScope` runs
 * the same pack directly and returns the unacknowledged violations.
 */
let coffer: SynthesizedCoffer;

beforeAll(() => {
  // Throws if any finding is unacknowledged: the pack is registered by buildCoffer.
  coffer = synthCoffer();
});

/** Every acknowledgement in the tree: rule id -> construct paths and reasons. */
function acknowledgements(root: IConstruct): { id: string; path: string; reason: string }[] {
  return root.node.findAll().flatMap((construct) =>
    construct.node.metadata
      .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((entry) =>
        Object.entries(entry.data as Record<string, string>).map(([id, reason]) => ({
          id: id.replace(/^[^:]+::/, ''),
          path: construct.node.path,
          reason,
        })),
      ),
  );
}

describe('cdk-nag AwsSolutions', () => {
  it('reports no unacknowledged errors or warnings', () => {
    const report = new AwsSolutionsChecks().validateScope(coffer.app);
    expect(report.violations).toEqual([]);
    expect(report.success).toBe(true);
  });

  it('leaves no error or warning annotations on any stack', () => {
    // Read from the synthesis already made (Annotations.fromStack would synthesise the app again per stack).
    const assembly = coffer.app.synth();
    for (const stack of [coffer.stacks.data, coffer.stacks.api, coffer.stacks.web]) {
      const messages = assembly.getStackArtifact(stack.artifactId).messages;
      expect(messages.filter((m) => m.level === 'error' || m.level === 'warning')).toEqual([]);
    }
  });

  it('acknowledges only the expected findings, each on its own with a reason', () => {
    const acks = acknowledgements(coffer.app);
    for (const ack of acks) expect(ack.reason.length).toBeGreaterThan(20);

    const byRule = (id: string) => acks.filter((a) => a.id === id);
    expect(byRule('AwsSolutions-APIG4')).toHaveLength(ROUTES.length);
    // An optional route says so: public, authenticating when a token is sent.
    for (const route of ROUTES.filter((r) => r.auth === 'optional')) {
      const [ack, ...others] = byRule('AwsSolutions-APIG4').filter((a) => a.reason.startsWith(`${route.operation}:`));
      expect(others).toEqual([]);
      expect(ack!.reason).toContain('public; authenticates when a bearer token is sent');
    }
    const api = coffer.stacks.api.node.path;
    const iam5 = acks.filter((a) => a.id.startsWith('AwsSolutions-IAM5[') && a.path.startsWith(`${api}/`));
    // docs/* for the roles that presign or purge objects: documents, folders (recursive delete),
    // links (presigned GETs) and the cleanup job (abandoned uploads, interrupted deletes);
    // audit/* in the archive bucket for the audit job.
    const auditRole = `${api}/Audit/FunctionRole`;
    const iam5Roles = [`${api}/DocumentsFunctionRole`, `${api}/FoldersFunctionRole`, `${api}/LinksFunctionRole`, `${api}/Cleanup/FunctionRole`, auditRole];
    expect(iam5).toHaveLength(iam5Roles.length);
    for (const ack of iam5) {
      expect(ack.id).toMatch(ack.path === auditRole ? /^AwsSolutions-IAM5\[Resource::.*AuditArchiveBucket.*\/audit\/\*\]$/ : /^AwsSolutions-IAM5\[Resource::.*\/docs\/\*\]$/);
    }
    expect(iam5.map((a) => a.path).sort()).toEqual(iam5Roles.sort());
    expect(acks.filter((a) => a.path.startsWith(`${api}/`))).toHaveLength(ROUTES.length + iam5Roles.length);

    // The web stack: the distribution's three (geo, WAF for issue 19, TLS on the cloudfront.net
    // name), and the CDK-provided deploy-time functions' (the app upload and the CORS setter).
    const web = coffer.stacks.web.node.path;
    const onWeb = acks.filter((a) => a.path.startsWith(`${web}/`));
    const distribution = onWeb.filter((a) => a.path === coffer.stacks.web.distribution.node.path).map((a) => a.id);
    expect(distribution.sort()).toEqual(['AwsSolutions-CFR1', 'AwsSolutions-CFR2', 'AwsSolutions-CFR4']);
    const rest = onWeb.filter((a) => a.path !== coffer.stacks.web.distribution.node.path);
    for (const ack of rest) expect(ack.path).toMatch(/\/(Custom::CDKBucketDeployment|AWS679f53fac002430cb0da5b7982bd2287)\w*(\/ServiceRole)?$/);
    expect(rest.map((a) => a.id.replace(/\[Resource::.*\]$/, '[Resource]')).sort()).toEqual(
      [
        ...Array(2).fill('AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]'),
        ...['s3:GetObject*', 's3:GetBucket*', 's3:List*', 's3:DeleteObject*', 's3:Abort*'].map((a) => `AwsSolutions-IAM5[Action::${a}]`),
        ...Array(2).fill('AwsSolutions-IAM5[Resource]'),
        'AwsSolutions-L1',
      ].sort(),
    );
    expect(acks).toHaveLength(ROUTES.length + iam5Roles.length + onWeb.length);
  });

  it('is not vacuous: it flags a wildcard policy nobody acknowledged', () => {
    const app = new App();
    const stack = new Stack(app, 'Probe', { env: { account: '123456789012', region: 'eu-west-1' } });
    const role = new Role(stack, 'Role', { assumedBy: new ServicePrincipal('lambda.amazonaws.com') });
    role.addToPolicy(new PolicyStatement({ actions: ['s3:*'], resources: ['*'] }));
    const names = new AwsSolutionsChecks().validateScope(app).violations.map((v) => v.ruleName);
    expect(names).toEqual(expect.arrayContaining(['AwsSolutions-IAM5[Action::s3:*]', 'AwsSolutions-IAM5[Resource::*]']));
  });

  it('stays clean with X-Ray tracing on (its Resource::* acknowledged per function)', () => {
    const traced = synthCoffer({ 'coffer:tracing': true });
    expect(new AwsSolutionsChecks().validateScope(traced.app).violations).toEqual([]);
    traced.api.hasResourceProperties('AWS::Lambda::Function', { TracingConfig: { Mode: 'Active' } });
  });
});

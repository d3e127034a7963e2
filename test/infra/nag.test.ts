import { App, Stack, Validations } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
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

  it('leaves no error or warning annotations on either stack', () => {
    for (const stack of [coffer.stacks.data, coffer.stacks.api]) {
      expect(Annotations.fromStack(stack).findError('*', Match.anyValue())).toEqual([]);
      expect(Annotations.fromStack(stack).findWarning('*', Match.anyValue())).toEqual([]);
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
    const iam5 = acks.filter((a) => a.id.startsWith('AwsSolutions-IAM5['));
    // docs/* for the roles that presign or purge objects: documents, folders (recursive delete),
    // links (presigned GETs) and the cleanup job (abandoned uploads, interrupted deletes);
    // audit/* in the archive bucket for the audit job.
    const api = coffer.stacks.api.node.path;
    const auditRole = `${api}/Audit/FunctionRole`;
    const iam5Roles = [`${api}/DocumentsFunctionRole`, `${api}/FoldersFunctionRole`, `${api}/LinksFunctionRole`, `${api}/Cleanup/FunctionRole`, auditRole];
    expect(iam5).toHaveLength(iam5Roles.length);
    for (const ack of iam5) {
      expect(ack.id).toMatch(ack.path === auditRole ? /^AwsSolutions-IAM5\[Resource::.*AuditArchiveBucket.*\/audit\/\*\]$/ : /^AwsSolutions-IAM5\[Resource::.*\/docs\/\*\]$/);
    }
    expect(iam5.map((a) => a.path).sort()).toEqual(iam5Roles.sort());
    expect(acks).toHaveLength(ROUTES.length + iam5Roles.length);
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

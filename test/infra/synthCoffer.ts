import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { App, type CfnElement, type Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { buildCoffer, type CofferStacks } from '../../infra/CofferApp.js';

/** The placeholder environment the tests synthesise into. */
export const TEST_ENV = { account: '123456789012', region: 'eu-west-1' } as const;

/** A stand-in for dist/web (index.html, the Service Worker, one asset): no build needed to synthesise. */
export const WEB_FIXTURE = fileURLToPath(new URL('./fixtures/web', import.meta.url));

export interface SynthesizedCoffer {
  readonly app: App;
  readonly stacks: CofferStacks;
  /** Each template is read from the one synthesis on first use, and kept. */
  readonly data: Template;
  readonly api: Template;
  readonly web: Template;
}

/**
 * Builds and synthesises the app as `cdk synth` does — same builder, same cdk.json
 * context (feature flags included), cdk-nag registered, so an unacknowledged finding
 * throws here — with two shortcuts that `npm run synth` still covers: Lambda bundling
 * is skipped (the templates do not depend on the bundle), as are asset staging and CDK's built-in
 * CloudFormation schema validation (about 5 s per synthesis). The web app is a small fixture
 * (WEB_FIXTURE) rather than a build of client/web.
 */
export function synthCoffer(context: Record<string, unknown> = {}, webRoot: string = WEB_FIXTURE): SynthesizedCoffer {
  const cdkJson = JSON.parse(readFileSync(new URL('../../cdk.json', import.meta.url), 'utf8')) as {
    context: Record<string, unknown>;
  };
  const app = new App({
    // No bundling, and assets referenced where they are rather than copied into a temporary
    // cdk.out (BucketDeployment's AWS CLI layer alone is 22 MB): the templates are the same.
    context: { ...cdkJson.context, 'aws:cdk:bundling-stacks': [], 'aws:cdk:disable-asset-staging': true, ...context },
    builtinCloudFormationValidation: false,
  });
  const stacks = buildCoffer(app, TEST_ENV, { webRoot });
  // Synthesise now (once: the templates below reuse it), so an unacknowledged finding throws here.
  app.synth();
  const templates = new Map<Stack, Template>();
  const template = (stack: Stack) => templates.get(stack) ?? templates.set(stack, Template.fromStack(stack)).get(stack)!;
  return {
    app,
    stacks,
    get data() {
      return template(stacks.data);
    },
    get api() {
      return template(stacks.api);
    },
    get web() {
      return template(stacks.web);
    },
  };
}

/** The logical id CDK gave a construct's CloudFormation resource (looked up, never hard-coded). */
export function logicalIdOf(stack: Stack, element: unknown): string {
  return stack.getLogicalId(element as CfnElement);
}

/**
 * A template value with `Ref` to pseudo parameters and `Fn::Join` evaluated for TEST_ENV in the
 * `aws` partition: what CloudFormation would deploy, to compare ARNs built in different stacks.
 */
export function renderForTestEnv(value: unknown): string {
  if (typeof value === 'string') return value;
  const pseudo: Record<string, string> = { 'AWS::Partition': 'aws', 'AWS::AccountId': TEST_ENV.account, 'AWS::Region': TEST_ENV.region, 'AWS::URLSuffix': 'amazonaws.com' };
  const object = value as Record<string, unknown>;
  if (typeof object?.Ref === 'string' && object.Ref in pseudo) return pseudo[object.Ref]!;
  const join = object?.['Fn::Join'] as [string, unknown[]] | undefined;
  if (join) return join[1].map(renderForTestEnv).join(join[0]);
  throw new Error(`cannot render ${JSON.stringify(value)}`);
}

/**
 * A template value as text, each reference replaced by a readable placeholder: `<Id.Attr>` for
 * Fn::GetAtt, `<Id>` for Ref, `<output:Name>` for another stack's output. For values CloudFormation
 * joins at deploy time, such as a custom resource's JSON call or a policy with a bucket name in it.
 */
export function renderWithPlaceholders(value: unknown): string {
  if (typeof value === 'string') return value;
  const object = value as Record<string, any>;
  if (object?.['Fn::Join']) {
    const [separator, parts] = object['Fn::Join'] as [string, unknown[]];
    return parts.map(renderWithPlaceholders).join(separator);
  }
  if (object?.['Fn::GetAtt']) return `<${(object['Fn::GetAtt'] as string[]).join('.')}>`;
  if (typeof object?.Ref === 'string') return `<${object.Ref}>`;
  if (object?.['Fn::GetStackOutput']) return `<output:${object['Fn::GetStackOutput'].OutputName}>`;
  throw new Error(`cannot render ${JSON.stringify(value)}`);
}

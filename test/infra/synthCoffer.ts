import { readFileSync } from 'node:fs';
import { App, type CfnElement, type Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { buildCoffer, type CofferStacks } from '../../infra/CofferApp.js';

/** The placeholder environment the tests synthesise into. */
export const TEST_ENV = { account: '123456789012', region: 'eu-west-1' } as const;

export interface SynthesizedCoffer {
  readonly app: App;
  readonly stacks: CofferStacks;
  readonly data: Template;
  readonly api: Template;
}

/**
 * Builds and synthesises the app as `cdk synth` does — same builder, same cdk.json
 * context (feature flags included), cdk-nag registered, so an unacknowledged finding
 * throws here — with two shortcuts that `npm run synth` still covers: Lambda bundling
 * is skipped (the templates do not depend on the bundle) and so is CDK's built-in
 * CloudFormation schema validation (about 5 s per synthesis).
 */
export function synthCoffer(context: Record<string, unknown> = {}): SynthesizedCoffer {
  const cdkJson = JSON.parse(readFileSync(new URL('../../cdk.json', import.meta.url), 'utf8')) as {
    context: Record<string, unknown>;
  };
  const app = new App({
    context: { ...cdkJson.context, 'aws:cdk:bundling-stacks': [], ...context },
    builtinCloudFormationValidation: false,
  });
  const stacks = buildCoffer(app, TEST_ENV);
  return { app, stacks, data: Template.fromStack(stacks.data), api: Template.fromStack(stacks.api) };
}

/** The logical id CDK gave a construct's CloudFormation resource (looked up, never hard-coded). */
export function logicalIdOf(stack: Stack, element: unknown): string {
  return stack.getLogicalId(element as CfnElement);
}

import { Aws } from 'aws-cdk-lib';
import type { CofferConfig } from '../config.js';

/**
 * The audit job role's fixed name, per stage and region (IAM names are account-wide). Both
 * stacks build it from here: the role in ApiStack takes it, and the audit key's policy in
 * DataStack names the role by it (docs/audit.md, "Key policy"). A reference to the role itself
 * would make DataStack depend on ApiStack, which already depends on DataStack: a cycle.
 */
export function auditJobRoleName(config: Pick<CofferConfig, 'stage'>): string {
  return `coffer-${config.stage}-audit-job-${Aws.REGION}`;
}

/** The audit job role's ARN, as a string (no cross-stack reference). Roles have the default path `/`. */
export function auditJobRoleArn(config: Pick<CofferConfig, 'stage'>): string {
  return `arn:${Aws.PARTITION}:iam::${Aws.ACCOUNT_ID}:role/${auditJobRoleName(config)}`;
}

import { Stack, Validations } from 'aws-cdk-lib';
import { flattenCfnReference } from 'cdk-nag/lib/utils/flatten-cfn-reference.js';
import type { IConstruct } from 'constructs';

/**
 * Acknowledges, with a reason, the one `AwsSolutions-IAM5` finding raised by a
 * wildcard resource in a policy under `scope` — that finding and no other.
 *
 * cdk-nag names the finding after the *resolved* resource. A resource built from
 * another stack's attribute only resolves once synthesis has wired the cross-stack
 * reference (an `Fn::GetStackOutput` naming the producer's region and output), so
 * the id is computed at validation time with cdk-nag's own flattening, not pasted
 * as a literal that would silently stop matching in another region or stage.
 */
export function acknowledgeWildcardResource(scope: IConstruct, resource: string, reason: string): void {
  let acknowledged: string | undefined;
  scope.node.addValidation({
    validate: () => {
      const flattened = flattenCfnReference(Stack.of(scope).resolve(resource));
      if (!flattened.includes('*')) return [`${flattened} has no wildcard: drop its IAM5 acknowledgement`];
      const id = `AwsSolutions-IAM5[Resource::${flattened}]`;
      // Validation runs on every synthesis of the app: acknowledge once.
      if (acknowledged !== id) Validations.of(scope).acknowledge({ id, reason });
      acknowledged = id;
      return [];
    },
  });
}

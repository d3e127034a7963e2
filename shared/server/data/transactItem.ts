import type { TransactWriteCommand } from '@aws-sdk/lib-dynamodb';

/** One item of a DynamoDB TransactWrite (a Put, Update, Delete or ConditionCheck), as every transaction here builds them. */
export type TransactItem = NonNullable<ConstructorParameters<typeof TransactWriteCommand>[0]['TransactItems']>[number];

/**
 * What a failed condition on one item means, as a domain error: given the item as it is now
 * (when the item asked for it with `returnOld`), or `undefined` to leave the answer to the
 * transaction's default (docs/design.md, "Errors").
 */
export type ConditionFailHandler = (old: Record<string, unknown> | undefined) => Error | undefined;

/** A transaction item that carries the error its condition's failure means; never sent to DynamoDB. */
export type GuardedItem = TransactItem & { onConditionFail?: ConditionFailHandler };

import type { TransactWriteCommand } from '@aws-sdk/lib-dynamodb';

/** One item of a DynamoDB TransactWrite (a Put, Update, Delete or ConditionCheck), as every transaction here builds them. */
export type TransactItem = NonNullable<ConstructorParameters<typeof TransactWriteCommand>[0]['TransactItems']>[number];

import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/** What every access pattern needs: the document client and the table name. */
export interface Database {
  readonly doc: DynamoDBDocumentClient;
  readonly table: string;
}

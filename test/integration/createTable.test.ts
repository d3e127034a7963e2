import { randomUUID } from 'node:crypto';
import { CreateTableCommand, DeleteTableCommand, DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createTable } from '../../infra/local/createTable.js';
import { TABLE } from '../../shared/server/data/tableDefinition.js';

/**
 * The local table (infra/local/createTable.ts): from the one definition, and brought up to date when
 * kept from an older version. On the run's shared DynamoDB Local, under names of this file's own.
 */
let client: DynamoDBClient;
const run = randomUUID();
const names = { fresh: `fresh-${run}`, older: `older-${run}` };

beforeAll(() => {
  client = new DynamoDBClient({ endpoint: inject('dynamodbEndpoint'), region: 'local', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
});
afterAll(async () => {
  for (const TableName of Object.values(names)) await client?.send(new DeleteTableCommand({ TableName })).catch(() => undefined);
  client?.destroy();
});

const indexesOf = async (name: string) =>
  ((await client.send(new DescribeTableCommand({ TableName: name }))).Table?.GlobalSecondaryIndexes ?? []).map((i) => ({ name: i.IndexName, keys: i.KeySchema?.map((k) => k.AttributeName), status: i.IndexStatus })).sort((a, b) => a.name!.localeCompare(b.name!));
const expected = TABLE.indexes.map((i) => ({ name: i.name, keys: [i.partitionKey, i.sortKey], status: 'ACTIVE' }));

describe('createTable', () => {
  it('creates the table with every index of the definition, and is idempotent', async () => {
    await createTable(client, names.fresh);
    await createTable(client, names.fresh);
    expect(await indexesOf(names.fresh)).toEqual(expected);
  });

  it('adds the indexes a table kept from an older version lacks (gsi3, the audit external-access index)', async () => {
    const [first] = TABLE.indexes;
    await client.send(
      new CreateTableCommand({
        TableName: names.older,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: ['pk', 'sk', first.partitionKey, first.sortKey].map((a) => ({ AttributeName: a, AttributeType: 'S' })),
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
        GlobalSecondaryIndexes: [
          {
            IndexName: first.name,
            KeySchema: [
              { AttributeName: first.partitionKey, KeyType: 'HASH' },
              { AttributeName: first.sortKey, KeyType: 'RANGE' },
            ],
            Projection: { ProjectionType: 'ALL' },
          },
        ],
      }),
    );
    await createTable(client, names.older);
    expect(await indexesOf(names.older)).toEqual(expected);
  });
});

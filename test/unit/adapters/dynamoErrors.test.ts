import { ConditionalCheckFailedException, DynamoDBClient, ProvisionedThroughputExceededException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { addGrants, resolveDocumentAccess } from '../../../shared/data/documents.js';
import { cancellationReasons } from '../../../shared/data/dynamoErrors.js';
import { getProfile } from '../../../shared/data/users.js';

const doc = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'eu-west-1' }));
const db = { doc, table: 'coffer-secret-table-name' };
const mock = mockClient(DynamoDBDocumentClient);

describe('DynamoDB error translation', () => {
  beforeEach(() => mock.reset());

  it('turns throttling into SERVICE_UNAVAILABLE without the table name or SDK message', async () => {
    mock.on(GetCommand).rejects(new ProvisionedThroughputExceededException({ $metadata: {}, message: 'Throughput exceeded for coffer-secret-table-name' }));
    const error = await getProfile(db, 'alice').catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'SERVICE_UNAVAILABLE' });
    expect((error as Error).message).not.toContain('coffer-secret-table-name');
  });

  it('reads cancellation reasons, unmarshalling raw items as DynamoDB Local returns them', () => {
    const error = new TransactionCanceledException({
      $metadata: {},
      message: 'cancelled',
      CancellationReasons: [{ Code: 'None' }, { Code: 'ConditionalCheckFailed', Item: { pk: { S: 'NODE#x' }, n: { N: '2' } } }],
    });
    expect(cancellationReasons(error)).toEqual([{ code: 'None' }, { code: 'ConditionalCheckFailed', item: { pk: 'NODE#x', n: 2 } }]);
    expect(cancellationReasons(new ConditionalCheckFailedException({ $metadata: {}, message: 'x' }))).toBeUndefined();
  });

  it('names the users that already hold a grant when a share transaction is cancelled', async () => {
    mock.on(TransactWriteCommand).rejects(
      new TransactionCanceledException({
        $metadata: {},
        message: 'cancelled',
        CancellationReasons: [{ Code: 'None' }, { Code: 'None' }, { Code: 'ConditionalCheckFailed' }],
      }),
    );
    const grant = (userId: string) => ({
      nodeId: 'n', principalId: `u:${userId}`, userId, role: 'viewer' as const, wrappedKey: 'w', keyGeneration: 1, grantedBy: 'alice', sharedAt: 't',
    });
    await expect(addGrants(db, 'n', 'alice', 1, [grant('bob'), grant('carol')])).rejects.toMatchObject({
      code: 'ALREADY_SHARED',
      details: { userIds: ['carol'] },
    });
  });

  it('answers NotFound, never a partial result, when the grant is missing', async () => {
    const { BatchGetCommand } = await import('@aws-sdk/lib-dynamodb');
    mock.on(BatchGetCommand).resolves({ Responses: { [db.table]: [{ pk: 'NODE#n', sk: 'META', state: 'active' }] } });
    await expect(resolveDocumentAccess(db, 'n', 'bob')).rejects.toMatchObject({ code: 'DOCUMENT_NOT_FOUND' });
  });
});

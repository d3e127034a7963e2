import { ConditionalCheckFailedException, DynamoDBClient, ProvisionedThroughputExceededException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { resolveAccess } from '../../../shared/server/access/resolveAccess.js';
import type { Deps } from '../../../shared/server/config/Deps.js';
import { addGrants } from '../../../shared/server/data/grants.js';
import { cancellationReasons } from '../../../shared/server/data/dynamoErrors.js';
import { getProfile } from '../../../shared/server/data/users.js';

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

  it('turns a cancelled share transaction into 409 CONCURRENT_UPDATE: nothing was written', async () => {
    mock.on(TransactWriteCommand).rejects(
      new TransactionCanceledException({
        $metadata: {},
        message: 'cancelled',
        CancellationReasons: [{ Code: 'ConditionalCheckFailed' }, { Code: 'None' }],
      }),
    );
    const grant = {
      nodeId: 'n', principalId: 'u:bob', userId: 'bob', role: 'viewer' as const, wrappedKey: 'w', keyGeneration: 1, grantedBy: 'alice', sharedAt: 't',
    };
    const error = await addGrants(db, { node: { nodeId: 'n', rev: 3 }, guards: [] }, 1, [grant], 't').catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'CONCURRENT_UPDATE' });
    expect((error as Error).message).not.toContain('coffer-secret-table-name');
  });

  it('answers NotFound, never a partial result, when the node has no entry for the caller', async () => {
    const { BatchGetCommand } = await import('@aws-sdk/lib-dynamodb');
    mock.on(BatchGetCommand).resolves({
      Responses: { [db.table]: [{ pk: 'NODE#n', sk: 'META', nodeId: 'n', kind: 'document', state: 'active', path: [], acl: { 'u:alice': { role: 'owner' } } }] },
    });
    const deps = { db, clock: () => Date.now() } as unknown as Deps;
    await expect(resolveAccess(deps, { userId: 'bob', kind: 'member' }, 'n', { kind: 'document' })).rejects.toMatchObject({ code: 'DOCUMENT_NOT_FOUND' });
  });
});

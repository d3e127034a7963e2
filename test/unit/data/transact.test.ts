import { type AttributeValue, ConditionalCheckFailedException, DynamoDBClient, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { beforeEach, describe, expect, it } from 'vitest';
import { Conflict } from '../../../shared/core/errors/index.js';
import { AuditScope, inAuditScope } from '../../../shared/server/audit/requestAudit.js';
import { activateDocument, type DocumentMeta } from '../../../shared/server/data/documents.js';
import { cancellationError } from '../../../shared/server/data/dynamoErrors.js';
import { conditionCheck, isNew, putItem, updateItem } from '../../../shared/server/data/itemBuilders.js';
import { transact } from '../../../shared/server/data/transact.js';
import { writeGuarded, writeIfHolds } from '../../../shared/server/data/writeGuarded.js';

const doc = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'eu-west-1' }));
const mock = mockClient(DynamoDBDocumentClient);
const db = { doc, table: 'coffer' };

const cancelled = (...reasons: { Code: string; Item?: Record<string, AttributeValue> }[]) =>
  new TransactionCanceledException({ $metadata: {}, message: 'cancelled', CancellationReasons: reasons });

const exists = () => new Conflict('DOCUMENT_EXISTS', 'exists');
const stale = (generation: number) => new Conflict('KEY_GENERATION_STALE', `at ${generation}`);
const meta = updateItem<{ rev: number; keyGeneration: number }>(db, { pk: 'T#1', sk: 'META' }, { set: { rev: 2 } }, {
  condition: { expression: 'rev = :rev', values: { ':rev': 1 } },
  returnOld: true,
  onConditionFail: (old) => (typeof old?.keyGeneration === 'number' && old.keyGeneration !== 1 ? stale(old.keyGeneration) : undefined),
});
const put = putItem(db, { pk: 'T#1', sk: 'CHILD' }, { condition: isNew, onConditionFail: exists });
const check = conditionCheck(db, { pk: 'T#2', sk: 'META' }, { condition: { expression: 'attribute_exists(pk)' } });
const items = [meta, put, check];

describe('cancellationError', () => {
  it('answers with the first failed item whose handler explains it, given the item as it is now', () => {
    const error = cancellationError(cancelled({ Code: 'ConditionalCheckFailed', Item: { keyGeneration: { N: '3' } } }, { Code: 'ConditionalCheckFailed' }, { Code: 'None' }), items);
    expect(error).toMatchObject({ code: 'KEY_GENERATION_STALE', message: 'at 3' });
  });

  it('goes on to the next failed item when a handler leaves it, then to otherwise', () => {
    expect(cancellationError(cancelled({ Code: 'ConditionalCheckFailed', Item: { keyGeneration: { N: '1' } } }, { Code: 'ConditionalCheckFailed' }, { Code: 'None' }), items)).toMatchObject({ code: 'DOCUMENT_EXISTS' });
    const otherwise = () => new Conflict('CONCURRENT_UPDATE', 'lost');
    expect(cancellationError(cancelled({ Code: 'None' }, { Code: 'None' }, { Code: 'ConditionalCheckFailed' }), items, { otherwise })).toMatchObject({ code: 'CONCURRENT_UPDATE' });
  });

  it('asks explain first, over every failed item', () => {
    const error = cancellationError(cancelled({ Code: 'ConditionalCheckFailed' }, { Code: 'None' }, { Code: 'ConditionalCheckFailed' }), items, {
      explain: (failed) => (failed.includes(check) ? new Conflict('FOLDER_CHANGED', 'changed') : undefined),
    });
    expect(error).toMatchObject({ code: 'FOLDER_CHANGED' });
  });

  it('tells onConflict what happened to each item', () => {
    const error = cancellationError(cancelled({ Code: 'None' }, { Code: 'None' }, { Code: 'TransactionConflict' }), items, {
      onConflict: (reasonOf) => new Conflict('CONCURRENT_UPDATE', `${reasonOf(meta)}/${reasonOf(check)}`),
    });
    expect(error).toMatchObject({ code: 'CONCURRENT_UPDATE', message: 'None/TransactionConflict' });
  });

  it('is SERVICE_UNAVAILABLE for anything but a cancellation, and for an unexplained one', () => {
    expect(cancellationError(new Error('network'), items)).toMatchObject({ code: 'SERVICE_UNAVAILABLE' });
    expect(cancellationError(cancelled({ Code: 'None' }, { Code: 'None' }, { Code: 'ConditionalCheckFailed' }), items)).toMatchObject({ code: 'SERVICE_UNAVAILABLE' });
  });
});

describe('transact', () => {
  beforeEach(() => mock.reset());

  it('sends the items without their handlers and throws the error the failed item declared', async () => {
    mock.on(TransactWriteCommand).rejects(cancelled({ Code: 'None' }, { Code: 'ConditionalCheckFailed' }, { Code: 'None' }));
    await expect(transact(db, items)).rejects.toMatchObject({ code: 'DOCUMENT_EXISTS' });
    const sent = mock.commandCalls(TransactWriteCommand)[0]!.args[0].input.TransactItems!;
    expect(sent).toHaveLength(3);
    for (const item of sent) expect(item).not.toHaveProperty('onConditionFail');
    expect(sent[0]!.Update).toMatchObject({ UpdateExpression: 'SET #u0 = :u0', ConditionExpression: 'rev = :rev', ReturnValuesOnConditionCheckFailure: 'ALL_OLD' });
  });
});

describe('writeGuarded', () => {
  beforeEach(() => mock.reset());

  it('throws the declared error when the condition fails, and writeIfHolds answers false', async () => {
    mock.on(UpdateCommand).rejects(new ConditionalCheckFailedException({ $metadata: {}, message: 'failed', Item: { keyGeneration: { N: '4' } } }));
    await expect(writeGuarded(db, meta)).rejects.toMatchObject({ code: 'KEY_GENERATION_STALE', message: 'at 4' });
    expect(await writeIfHolds(db, meta)).toBe(false);
  });

  it('is SERVICE_UNAVAILABLE for any other failure', async () => {
    mock.on(UpdateCommand).rejects(new Error('coffer table unreachable'));
    await expect(writeGuarded(db, meta)).rejects.toMatchObject({ code: 'SERVICE_UNAVAILABLE' });
  });
});

describe('activateDocument', () => {
  beforeEach(() => mock.reset());

  it('in an audited request, a changed folder is FOLDER_CHANGED: the folder check is found by item, not as the last reason', async () => {
    // Prepare: the audit items follow the folder check, so the last reason is the chain head's.
    mock.on(GetCommand).resolves({});
    mock.on(TransactWriteCommand).rejects(cancelled({ Code: 'None' }, { Code: 'None' }, { Code: 'None' }, { Code: 'ConditionalCheckFailed' }, { Code: 'None' }, { Code: 'None' }));
    const meta = { nodeId: 'd1', ownerId: 'alice', currentVersion: 1, keyGeneration: 1, pendingGrants: [] } as Partial<DocumentMeta> as DocumentMeta;
    const scope = new AuditScope(
      { actorId: 'alice', actorKind: 'user', operation: 'completeDocument', category: 'content', resourceKind: 'node', resourceId: 'd1', targets: { id: 'd1' }, requestId: 'r1', sourceIp: '203.0.113.1', userAgent: 't' },
      () => Date.parse('2026-12-08T00:00:00.000Z'),
    );

    // Act
    const error = await inAuditScope(scope, () => activateDocument(db, meta, 'alice', '2026-12-08T00:00:00.000Z', { parentId: 'f1', parentRev: 3, path: ['f1'] })).catch((e: unknown) => e);

    // Assess
    expect(mock.commandCalls(TransactWriteCommand)[0]!.args[0].input.TransactItems).toHaveLength(6);
    expect(error).toMatchObject({ code: 'FOLDER_CHANGED', message: 'The folder changed: complete the upload again.' });
  });
});

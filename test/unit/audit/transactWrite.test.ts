import { ConditionalCheckFailedException, DynamoDBClient, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { beforeEach, describe, expect, it } from 'vitest';
import { AuditScope, inAuditScope } from '../../../shared/server/audit/requestAudit.js';
import type { TransactItem } from '../../../shared/server/data/transactItem.js';
import { transactWrite, writeItem } from '../../../shared/server/data/transactWrite.js';
import { isConditionFailure } from '../../../shared/server/data/dynamoErrors.js';

const doc = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'eu-west-1' }));
const mock = mockClient(DynamoDBDocumentClient);
const db = { doc, table: 'coffer' };
const NOW = Date.parse('2026-02-03T04:05:06.007Z');

const ITEM: TransactItem = { Update: { TableName: 'coffer', Key: { pk: 'NODE#n', sk: 'META' }, UpdateExpression: 'SET rev = :r', ConditionExpression: 'rev = :old', ExpressionAttributeValues: { ':r': 2, ':old': 1 } } };

const scope = () =>
  new AuditScope(
    { actorId: 'alice', actorKind: 'user', operation: 'renameNode', category: 'content', resourceKind: 'node', resourceId: 'n', targets: { id: 'n' }, requestId: 'r1', sourceIp: '203.0.113.1', userAgent: 't' },
    () => NOW,
  );

const cancelled = (...codes: string[]) =>
  new TransactionCanceledException({ $metadata: {}, message: 'cancelled', CancellationReasons: codes.map((Code) => ({ Code })) });

const sent = () => mock.commandCalls(TransactWriteCommand).map((c) => c.args[0].input.TransactItems!);

/** docs/audit.md, "One event per action": the change and its event in one transaction. */
describe('transactWrite', () => {
  beforeEach(() => {
    mock.reset();
    mock.on(GetCommand).resolves({});
  });

  it('outside an audited request sends the items alone', async () => {
    mock.on(TransactWriteCommand).resolves({});
    await transactWrite(db, [ITEM]);
    expect(sent()).toEqual([[ITEM]]);
  });

  it("in an audited request appends the request's event to the first transaction, after the caller's items, and only to the first", async () => {
    mock.on(TransactWriteCommand).resolves({});
    const s = scope();
    await inAuditScope(s, async () => {
      await transactWrite(db, [ITEM]);
      await transactWrite(db, [ITEM]);
    });
    const [first, second] = sent();
    expect(first).toHaveLength(3);
    expect(first![0]).toEqual(ITEM);
    expect(first![1]!.Put!.Item).toMatchObject({ operation: 'renameNode', actorId: 'alice', resourceId: 'n', outcome: 'success', at: new Date(NOW).toISOString(), sk: 'SEQ#000000000001' });
    expect(first![1]!.Put!.Item).not.toHaveProperty('status');
    expect(second).toEqual([ITEM]);
    expect(s.written).toBe('success');
  });

  it('of two writes running side by side, only one carries the event', async () => {
    mock.on(TransactWriteCommand).resolves({});
    await inAuditScope(scope(), () => Promise.all([transactWrite(db, [ITEM]), transactWrite(db, [ITEM])]));
    expect(sent().map((items) => items.length).sort()).toEqual([1, 3]);
  });

  it("a failed condition of the caller's reaches the caller with its index, and the event is not marked written", async () => {
    mock.on(TransactWriteCommand).rejects(cancelled('ConditionalCheckFailed', 'None', 'None'));
    const s = scope();
    const error = await inAuditScope(s, () => transactWrite(db, [ITEM])).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TransactionCanceledException);
    expect((error as TransactionCanceledException).CancellationReasons?.[0]?.Code).toBe('ConditionalCheckFailed');
    expect(s.written).toBeUndefined();
  });

  it('a noted failure (a refusal that writes) is the event the transaction carries', async () => {
    mock.on(TransactWriteCommand).resolves({});
    const s = scope();
    await inAuditScope(s, async () => {
      s.note({ failure: { status: 401, errorCode: 'REFRESH_TOKEN_REUSED' } });
      await transactWrite(db, [ITEM]);
    });
    expect(sent()[0]![1]!.Put!.Item).toMatchObject({ outcome: 'failure', status: 401, errorCode: 'REFRESH_TOKEN_REUSED' });
    expect(s.written).toBe('failure');
  });
});

describe('writeItem', () => {
  beforeEach(() => {
    mock.reset();
    mock.on(GetCommand).resolves({});
  });

  it('outside an audited request is the plain command', async () => {
    mock.on(UpdateCommand).resolves({});
    await writeItem(db, { Update: ITEM.Update! });
    expect(mock).toHaveReceivedCommandTimes(UpdateCommand, 1);
    expect(mock).toHaveReceivedCommandTimes(TransactWriteCommand, 0);
  });

  it('in an audited request is a transaction with the event; its failed condition is still ConditionalCheckFailedException', async () => {
    mock.on(TransactWriteCommand).rejects(cancelled('ConditionalCheckFailed', 'None', 'None'));
    const error = await inAuditScope(scope(), () => writeItem(db, { Put: { TableName: 'coffer', Item: { pk: 'a', sk: 'b' }, ConditionExpression: 'attribute_not_exists(pk)' } })).catch((e: unknown) => e);
    expect(isConditionFailure(error)).toBe(true);
    expect(error).toBeInstanceOf(ConditionalCheckFailedException);
    expect(mock).toHaveReceivedCommandTimes(PutCommand, 0);
    expect(sent()[0]).toHaveLength(3);
  });

  it('any other error reaches the caller unchanged', async () => {
    const boom = new Error('network');
    mock.on(TransactWriteCommand).rejects(boom);
    await expect(inAuditScope(scope(), () => writeItem(db, { Update: ITEM.Update! }))).rejects.toBe(boom);
  });
});

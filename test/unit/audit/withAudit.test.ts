import { DynamoDBClient, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { beforeEach, describe, expect, it } from 'vitest';
import { auditedTransaction } from '../../../shared/server/audit/auditedTransaction.js';
import { eventHash, GENESIS_HASH } from '../../../shared/server/audit/eventHash.js';
import { withAudit } from '../../../shared/server/audit/withAudit.js';
import type { AuditEvent } from '../../../shared/core/api/auditEvent.js';
import type { TransactItem } from '../../../shared/server/data/transactItem.js';

const doc = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'eu-west-1' }));
const mock = mockClient(DynamoDBDocumentClient);
const db = { doc, table: 'coffer' };

const EVENT: AuditEvent = {
  at: '2026-01-02T03:04:05.006Z',
  actorId: 'alice',
  actorKind: 'user',
  operation: 'link.revoke',
  category: 'link',
  outcome: 'success',
  targets: { linkId: 'L1' },
  status: 200,
  requestId: 'req-1',
  sourceIp: '203.0.113.9',
};

const CALLER_ITEM: TransactItem = { Delete: { TableName: 'coffer', Key: { pk: 'LINK#L1', sk: 'LINK' }, ConditionExpression: 'attribute_exists(pk)' } };

const cancelled = (...codes: string[]) =>
  new TransactionCanceledException({ $metadata: {}, message: 'cancelled', CancellationReasons: codes.map((Code) => ({ Code })) });

const sent = () => mock.commandCalls(TransactWriteCommand).map((c) => c.args[0].input.TransactItems!);

describe('withAudit', () => {
  beforeEach(() => mock.reset());

  it("appends the event after the head it read, in the caller's transaction", async () => {
    // Prepare
    mock.on(GetCommand).resolves({ Item: { seq: 41, hash: 'a'.repeat(64) } });
    mock.on(TransactWriteCommand).resolves({});

    // Act
    const stored = await withAudit(db, EVENT, (audit) => [CALLER_ITEM, ...audit]);

    // Assess
    const [items] = sent();
    expect(items).toHaveLength(3);
    expect(items![0]).toEqual(CALLER_ITEM);
    const put = items![1]!.Put!;
    expect(put.ConditionExpression).toBe('attribute_not_exists(pk)');
    expect(put.Item).toMatchObject({ ...EVENT, pk: `AUDIT#${stored.shard}`, sk: 'SEQ#000000000042', seq: 42, prevHash: 'a'.repeat(64), hash: stored.hash });
    expect(stored.hash).toBe(eventHash(put.Item!));
    expect(items![2]!.Update).toMatchObject({
      Key: { pk: `AUDIT#${stored.shard}`, sk: 'HEAD' },
      ConditionExpression: '#seq = :seq',
      ExpressionAttributeValues: { ':seq': 41, ':next': 42, ':hash': stored.hash },
    });
  });

  it('starts a chain at seq 1 after the genesis hash, guarded by the head being absent', async () => {
    mock.on(GetCommand).resolves({});
    mock.on(TransactWriteCommand).resolves({});
    const stored = await withAudit(db, EVENT, (audit) => [...audit]);
    expect(stored).toMatchObject({ seq: 1, prevHash: GENESIS_HASH });
    expect(sent()[0]![1]!.Update!.ConditionExpression).toBe('attribute_not_exists(pk)');
  });

  it('rebuilds on a fresh head when it lost the race for the head, keeping the event id', async () => {
    // Prepare: the first head read is stale; the second sees the winner's event.
    mock.on(GetCommand).resolvesOnce({ Item: { seq: 7, hash: 'b'.repeat(64) } }).resolves({ Item: { seq: 8, hash: 'c'.repeat(64) } });
    mock.on(TransactWriteCommand).rejectsOnce(cancelled('None', 'ConditionalCheckFailed', 'ConditionalCheckFailed')).resolves({});

    // Act
    const stored = await withAudit(db, EVENT, (audit) => [CALLER_ITEM, ...audit]);

    // Assess
    const attempts = sent();
    expect(attempts).toHaveLength(2);
    expect(attempts[1]![1]!.Put!.Item).toMatchObject({ seq: 9, prevHash: 'c'.repeat(64), id: attempts[0]![1]!.Put!.Item!.id });
    expect(stored.seq).toBe(9);
  });

  it('retries a transaction conflict on the head too', async () => {
    mock.on(GetCommand).resolves({ Item: { seq: 1, hash: 'd'.repeat(64) } });
    mock.on(TransactWriteCommand).rejectsOnce(cancelled('None', 'None', 'TransactionConflict')).resolves({});
    await withAudit(db, EVENT, (audit) => [CALLER_ITEM, ...audit]);
    expect(sent()).toHaveLength(2);
  });

  it("hands a failure of the caller's own item back unchanged, without retrying", async () => {
    mock.on(GetCommand).resolves({ Item: { seq: 1, hash: 'd'.repeat(64) } });
    const error = cancelled('ConditionalCheckFailed', 'None', 'None');
    mock.on(TransactWriteCommand).rejects(error);
    await expect(withAudit(db, EVENT, (audit) => [CALLER_ITEM, ...audit])).rejects.toBe(error);
    expect(sent()).toHaveLength(1);
  });

  it("hands it back when the caller's item and the head both failed (the caller's failure decides)", async () => {
    mock.on(GetCommand).resolves({ Item: { seq: 1, hash: 'd'.repeat(64) } });
    mock.on(TransactWriteCommand).rejects(cancelled('ConditionalCheckFailed', 'ConditionalCheckFailed', 'ConditionalCheckFailed'));
    await expect(withAudit(db, EVENT, (audit) => [CALLER_ITEM, ...audit])).rejects.toBeInstanceOf(TransactionCanceledException);
    expect(sent()).toHaveLength(1);
  });

  it('gives up with SERVICE_UNAVAILABLE when it keeps losing the race: nothing applied', async () => {
    mock.on(GetCommand).resolves({ Item: { seq: 1, hash: 'd'.repeat(64) } });
    mock.on(TransactWriteCommand).rejects(cancelled('ConditionalCheckFailed', 'ConditionalCheckFailed'));
    await expect(withAudit(db, EVENT, (audit) => [...audit])).rejects.toMatchObject({ code: 'SERVICE_UNAVAILABLE' });
    expect(sent()).toHaveLength(30);
  }, 20_000);

  it('refuses a build that leaves out an audit item: the change would go unrecorded', async () => {
    mock.on(GetCommand).resolves({});
    await expect(withAudit(db, EVENT, (audit) => [CALLER_ITEM, audit[0]!])).rejects.toThrow(TypeError);
    expect(sent()).toHaveLength(0);
  });
});

describe('withAudit and the 100-item limit', () => {
  beforeEach(() => mock.reset());

  it("takes 98 items of the caller's and refuses 99 before sending anything", async () => {
    mock.on(GetCommand).resolves({});
    mock.on(TransactWriteCommand).resolves({});
    await withAudit(db, EVENT, (audit) => [...Array.from({ length: 98 }, () => CALLER_ITEM), ...audit]);
    await expect(withAudit(db, EVENT, (audit) => [...Array.from({ length: 99 }, () => CALLER_ITEM), ...audit])).rejects.toThrow(RangeError);
    expect(sent()).toHaveLength(1);
  });
});

describe('auditedTransaction', () => {
  beforeEach(() => mock.reset());

  it("returns the caller's condition failures, indexed as the items built", async () => {
    mock.on(GetCommand).resolves({});
    mock.on(TransactWriteCommand).rejects(cancelled('ConditionalCheckFailed', 'None', 'None'));
    const reasons = await auditedTransaction(db, EVENT, (audit) => [CALLER_ITEM, ...audit]);
    expect(reasons?.map((r) => r.code)).toEqual(['ConditionalCheckFailed', 'None', 'None']);
  });

  it('resolves undefined when the change and its event committed', async () => {
    mock.on(GetCommand).resolves({});
    mock.on(TransactWriteCommand).resolves({});
    expect(await auditedTransaction(db, EVENT, (audit) => [CALLER_ITEM, ...audit])).toBeUndefined();
  });

  it("retries a conflict on the caller's item, then answers SERVICE_UNAVAILABLE", async () => {
    mock.on(GetCommand).resolves({});
    mock.on(TransactWriteCommand).rejects(cancelled('TransactionConflict', 'None', 'None'));
    await expect(auditedTransaction(db, EVENT, (audit) => [CALLER_ITEM, ...audit])).rejects.toMatchObject({ code: 'SERVICE_UNAVAILABLE' });
    expect(sent()).toHaveLength(6);
  }, 20_000);
});

import { describe, expect, it } from 'vitest';
import { copyOf, ifNotExists, increment, updateExpression } from '../../../shared/server/data/updateExpression.js';
import { conditionCheck, updateItem } from '../../../shared/server/data/itemBuilders.js';

interface Thing {
  name: string;
  state: 'active' | 'deleting';
  rev: number;
  adminCount?: number;
  revokedAt?: string;
  acl: Record<string, { role: string }>;
  staged?: { wrappedSecret: string };
  wrappedSecret: string;
  failedAttempts?: number;
}

const db = { doc: undefined as never, table: 'coffer' };

describe('updateExpression', () => {
  it('sets values through placeholders, so reserved words (name, state) need no care', () => {
    expect(updateExpression<Thing>({ set: { name: 'n', state: 'active' } })).toEqual({
      UpdateExpression: 'SET #u0 = :u0, #u1 = :u1',
      ExpressionAttributeNames: { '#u0': 'name', '#u1': 'state' },
      ExpressionAttributeValues: { ':u0': 'n', ':u1': 'active' },
    });
  });

  it('builds increments, if_not_exists, copies, map entries, REMOVE and ADD in one expression', () => {
    const built = updateExpression<Thing>({
      set: { rev: increment(1), adminCount: increment(-2, 0), revokedAt: ifNotExists('2026-12-08T00:00:00.000Z'), wrappedSecret: copyOf('staged', 'wrappedSecret') },
      setEntries: { acl: { 'u:bob': { role: 'viewer' } } },
      remove: ['staged'],
      removeEntries: { acl: ['u:eve'] },
      add: { failedAttempts: 1 },
    });
    expect(built.UpdateExpression).toBe(
      'SET #u0 = #u0 + :u0, #u1 = if_not_exists(#u1, :u1) + :u2, #u2 = if_not_exists(#u2, :u3), #u3 = #u4.#u3, #u5.#u6 = :u4 ' +
        'REMOVE #u4, #u5.#u7 ADD #u8 :u5',
    );
    expect(built.ExpressionAttributeNames).toEqual({
      '#u0': 'rev', '#u1': 'adminCount', '#u2': 'revokedAt', '#u3': 'wrappedSecret', '#u4': 'staged', '#u5': 'acl', '#u6': 'u:bob', '#u7': 'u:eve', '#u8': 'failedAttempts',
    });
    expect(built.ExpressionAttributeValues).toEqual({ ':u0': 1, ':u1': 0, ':u2': -2, ':u3': '2026-12-08T00:00:00.000Z', ':u4': { role: 'viewer' }, ':u5': 1 });
  });

  it('leaves out attributes set to undefined, and values when there are none', () => {
    expect(updateExpression<Thing>({ set: { name: undefined }, remove: ['revokedAt'] })).toEqual({
      UpdateExpression: 'REMOVE #u0',
      ExpressionAttributeNames: { '#u0': 'revokedAt' },
    });
  });

  it('refuses an update that changes nothing', () => {
    expect(() => updateExpression<Thing>({})).toThrow(/must change something/);
    expect(() => updateExpression<Thing>({ set: { name: undefined }, remove: [], removeEntries: { acl: [] } })).toThrow(/must change something/);
  });
});

describe('itemBuilders', () => {
  it('merges the update and its condition, and asks for the old item only when told', () => {
    const onConditionFail = () => new Error('changed');
    const item = updateItem<Thing>(db, { pk: 'P', sk: 'S' }, { set: { rev: 3 } }, {
      condition: { expression: '#state = :active AND rev = :rev', names: { '#state': 'state' }, values: { ':active': 'active', ':rev': 2 } },
      onConditionFail,
      returnOld: true,
    });
    expect(item).toEqual({
      Update: {
        TableName: 'coffer',
        Key: { pk: 'P', sk: 'S' },
        UpdateExpression: 'SET #u0 = :u0',
        ConditionExpression: '#state = :active AND rev = :rev',
        ExpressionAttributeNames: { '#u0': 'rev', '#state': 'state' },
        ExpressionAttributeValues: { ':u0': 3, ':active': 'active', ':rev': 2 },
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      },
      onConditionFail,
    });
  });

  it('refuses a condition that reuses an update placeholder', () => {
    expect(() => updateItem<Thing>(db, { pk: 'P', sk: 'S' }, { set: { rev: 3 } }, { condition: { expression: 'rev = :u0', values: { ':u0': 2 } } })).toThrow(/placeholder :u0/);
  });

  it('leaves empty name and value maps out of a condition check (DynamoDB refuses them)', () => {
    expect(conditionCheck(db, { pk: 'P', sk: 'S' }, { condition: { expression: 'attribute_exists(pk)', names: {}, values: {} } })).toEqual({
      ConditionCheck: { TableName: 'coffer', Key: { pk: 'P', sk: 'S' }, ConditionExpression: 'attribute_exists(pk)' },
    });
  });
});

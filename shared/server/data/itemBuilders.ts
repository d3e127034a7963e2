import type { NativeAttributeValue } from '@aws-sdk/util-dynamodb';
import type { Database } from './Database.js';
import type { ConditionFailHandler, GuardedItem, TransactItem } from './transactItem.js';
import { type UpdateSpec, updateExpression } from './updateExpression.js';

export type ItemKey = { pk: string; sk: string };

/** A guard, as a DynamoDB condition expression with its own placeholders (never `#u…`/`:u…`, which updates use). */
export interface Condition {
  expression: string;
  names?: Record<string, string>;
  values?: Record<string, unknown>;
}

/** How an item is guarded, and what its guard failing means. */
export interface Guarding {
  condition?: Condition;
  /** The domain error of this item's condition failing (see transactItem.ts). */
  onConditionFail?: ConditionFailHandler;
  /** Ask DynamoDB for the item as it is now when the condition fails (`onConditionFail` gets it). */
  returnOld?: boolean;
}

type Handled = Pick<GuardedItem, 'onConditionFail'>;
export type PutItem = Handled & { Put: NonNullable<TransactItem['Put']> };
export type UpdateItem = Handled & { Update: NonNullable<TransactItem['Update']> & { Key: ItemKey } };
export type DeleteItem = Handled & { Delete: NonNullable<TransactItem['Delete']> & { Key: ItemKey } };
export type CheckItem = Handled & { ConditionCheck: NonNullable<TransactItem['ConditionCheck']> & { Key: ItemKey } };

interface ConditionFields {
  ConditionExpression?: string;
  ExpressionAttributeNames?: Record<string, string>;
  ExpressionAttributeValues?: Record<string, unknown>;
  ReturnValuesOnConditionCheckFailure?: 'ALL_OLD';
}

/** Put of a whole item (keys included). */
export function putItem(db: Database, item: ItemKey & Record<string, NativeAttributeValue>, guarding: Guarding = {}): PutItem {
  return { Put: { TableName: db.table, Item: item, ...conditionFields(guarding) }, ...handler(guarding) };
}

/** Update of the item at `key`, shaped `T` (updateExpression.ts). */
export function updateItem<T>(db: Database, key: ItemKey, spec: UpdateSpec<T>, guarding: Guarding = {}): UpdateItem {
  const update = updateExpression(spec);
  const condition = conditionFields(guarding);
  return {
    Update: {
      TableName: db.table,
      Key: key,
      ...condition,
      UpdateExpression: update.UpdateExpression,
      ExpressionAttributeNames: merged(update.ExpressionAttributeNames, condition.ExpressionAttributeNames),
      ...optional('ExpressionAttributeValues', merged(update.ExpressionAttributeValues, condition.ExpressionAttributeValues)),
    },
    ...handler(guarding),
  };
}

/** Delete of the item at `key`. */
export function deleteItem(db: Database, key: ItemKey, guarding: Guarding = {}): DeleteItem {
  return { Delete: { TableName: db.table, Key: key, ...conditionFields(guarding) }, ...handler(guarding) };
}

/** A condition on an item the transaction does not write. */
export function conditionCheck(db: Database, key: ItemKey, guarding: Guarding & { condition: Condition }): CheckItem {
  const fields = conditionFields(guarding);
  return { ConditionCheck: { TableName: db.table, Key: key, ...fields, ConditionExpression: guarding.condition.expression }, ...handler(guarding) };
}

function conditionFields(g: Guarding): ConditionFields {
  if (!g.condition) return {};
  return {
    ConditionExpression: g.condition.expression,
    ...optional('ExpressionAttributeNames', g.condition.names),
    ...optional('ExpressionAttributeValues', g.condition.values),
    ...(g.returnOld ? { ReturnValuesOnConditionCheckFailure: 'ALL_OLD' as const } : {}),
  };
}

function handler(g: Guarding): Handled {
  return g.onConditionFail ? { onConditionFail: g.onConditionFail } : {};
}

/** DynamoDB refuses empty name and value maps: leave them out. */
function optional<K extends string, V extends object>(field: K, value: V | undefined): { [P in K]?: V } {
  return value && Object.keys(value).length > 0 ? ({ [field]: value } as { [P in K]?: V }) : {};
}

/** The update's placeholders and the condition's side by side; one placeholder meaning two things is a bug. */
function merged<V>(a: Record<string, V> | undefined, b: Record<string, V> | undefined): Record<string, V> | undefined {
  if (!a || !b) return a ?? b;
  for (const k of Object.keys(b)) if (k in a) throw new TypeError(`updateItem: the condition reuses the update's placeholder ${k}`);
  return { ...a, ...b };
}

/** Guard: the item does not exist yet (a new id). */
export const isNew: Condition = { expression: 'attribute_not_exists(pk)' };

/** Guard: the item exists. */
export const exists: Condition = { expression: 'attribute_exists(pk)' };

/** Guard: the item is still at the `rev` read (optimistic concurrency). */
export const atRev = (rev: number): Condition => ({ expression: 'rev = :rev', values: { ':rev': rev } });

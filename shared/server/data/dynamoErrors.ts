import { unmarshall } from '@aws-sdk/util-dynamodb';
import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { ServiceUnavailable } from '../../core/errors/index.js';
import type { GuardedItem } from './transactItem.js';

export interface CancellationReason {
  code: string;
  item?: Record<string, unknown>;
}

/** The per-item reasons of a cancelled transaction, items unmarshalled (DynamoDB Local returns raw ones). */
export function cancellationReasons(error: unknown): CancellationReason[] | undefined {
  if (!(error instanceof TransactionCanceledException)) return undefined;
  return (error.CancellationReasons ?? []).map((r) => {
    const reason: CancellationReason = { code: r.Code ?? 'None' };
    if (r.Item) reason.item = plainItem(r.Item);
    return reason;
  });
}

export function isConditionFailure(error: unknown): boolean {
  return error instanceof ConditionalCheckFailedException;
}

/** An item as the document client gives it: DynamoDB Local and exceptions carry raw attribute values. */
export function plainItem(item: Record<string, unknown>): Record<string, unknown> {
  return isRaw(item) ? unmarshall(item as Parameters<typeof unmarshall>[0]) : item;
}

function isRaw(item: Record<string, unknown>): boolean {
  const first = Object.values(item)[0];
  return typeof first === 'object' && first !== null && Object.keys(first).length === 1 && /^(S|N|B|BOOL|NULL|M|L|SS|NS|BS)$/.test(Object.keys(first)[0]!);
}

/**
 * Runs a DynamoDB call and turns unexpected SDK errors into ServiceUnavailable,
 * so table names, keys and SDK messages never travel upward. Expected errors
 * (condition failures, cancelled transactions) are passed to `expected` first.
 */
export async function dynamo<T>(fn: () => Promise<T>, expected?: (error: unknown) => never | void): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    if (expected) expected(error);
    throw new ServiceUnavailable();
  }
}

/** The items whose condition failed, in item order, each with its current values when it asked for them. */
export function conditionFailures<I>(reasons: readonly CancellationReason[], items: readonly I[]): Map<I, Record<string, unknown> | undefined> {
  return new Map(items.flatMap((item, i) => (reasons[i]?.code === 'ConditionalCheckFailed' ? [[item, reasons[i]!.item] as const] : [])));
}

/** How a transaction answers a cancellation its items' own `onConditionFail` did not explain. */
export interface CancellationAnswers {
  /** Over every item whose condition failed, before the items' own answers (several failures, one error). */
  explain?: (failed: readonly GuardedItem[]) => Error | undefined;
  /**
   * When a concurrent transaction on one of the items cancelled it (TransactionConflict);
   * `reasonOf` tells what happened to each item (`None`: nothing against it).
   */
  onConflict?: (reasonOf: (item: GuardedItem) => string) => Error;
  /** Any other cancellation; without it, ServiceUnavailable. */
  otherwise?: () => Error;
}

/**
 * The one place a failed transaction becomes a domain error (Powertools' "adapters translate").
 * Not a cancellation: ServiceUnavailable. A cancellation: `explain` over the items whose
 * condition failed, then those items' `onConditionFail` in item order (each gets the item as it
 * is now, when it asked for it), then `onConflict` when a concurrent transaction was the cause,
 * then `otherwise`.
 */
export function cancellationError(error: unknown, items: readonly GuardedItem[], answers: CancellationAnswers = {}): Error {
  const reasons = cancellationReasons(error);
  return reasons ? explainCancellation(reasons, items, answers) : new ServiceUnavailable();
}

/** `cancellationError` for reasons already read. */
export function explainCancellation(reasons: readonly CancellationReason[], items: readonly GuardedItem[], answers: CancellationAnswers = {}): Error {
  const failed = conditionFailures(reasons, items);
  const explained = answers.explain?.([...failed.keys()]);
  if (explained) return explained;
  for (const [item, old] of failed) {
    const error = item.onConditionFail?.(old);
    if (error) return error;
  }
  if (answers.onConflict && reasons.some((r) => r.code === 'TransactionConflict')) {
    return answers.onConflict((item) => reasons[items.indexOf(item)]?.code ?? 'None');
  }
  return answers.otherwise?.() ?? new ServiceUnavailable();
}

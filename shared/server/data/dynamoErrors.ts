import { unmarshall } from '@aws-sdk/util-dynamodb';
import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { ServiceUnavailable } from '../../core/errors/index.js';

export interface CancellationReason {
  code: string;
  item?: Record<string, unknown>;
}

/** The per-item reasons of a cancelled transaction, items unmarshalled (DynamoDB Local returns raw ones). */
export function cancellationReasons(error: unknown): CancellationReason[] | undefined {
  if (!(error instanceof TransactionCanceledException)) return undefined;
  return (error.CancellationReasons ?? []).map((r) => {
    const reason: CancellationReason = { code: r.Code ?? 'None' };
    if (r.Item) reason.item = isRaw(r.Item) ? unmarshall(r.Item as never) : (r.Item as Record<string, unknown>);
    return reason;
  });
}

export function isConditionFailure(error: unknown): boolean {
  return error instanceof ConditionalCheckFailedException;
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

/**
 * Runs one conditional write: true when it applied, false when its condition did not hold (a
 * concurrent change won). Every other error is ServiceUnavailable, as with `dynamo`.
 */
export async function appliedIf(fn: () => Promise<unknown>): Promise<boolean> {
  try {
    await fn();
    return true;
  } catch (error) {
    if (isConditionFailure(error)) return false;
    throw new ServiceUnavailable();
  }
}

import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { ServiceUnavailable } from '../../core/errors/index.js';
import type { Database } from './Database.js';
import { plainItem } from './dynamoErrors.js';
import type { DeleteItem, PutItem, UpdateItem } from './itemBuilders.js';
import { type WriteItem, writeItem } from './transactWrite.js';

type Outcome = { applied: true } | { applied: false; old: Record<string, unknown> | undefined };

/**
 * One guarded write (a Put, Update or Delete built by itemBuilders.ts) that is the whole change
 * of an action (through writeItem, so it carries an audited request's event): its condition
 * failing throws the error the item declared (`onConditionFail`, else ServiceUnavailable);
 * every other failure is ServiceUnavailable.
 */
export async function writeGuarded(db: Database, item: PutItem | UpdateItem | DeleteItem): Promise<void> {
  const outcome = await attempt(db, item);
  if (!outcome.applied) throw item.onConditionFail?.(outcome.old) ?? new ServiceUnavailable();
}

/** One guarded write where a condition that does not hold is an answer, not an error: whether it applied. */
export async function writeIfHolds(db: Database, item: PutItem | UpdateItem | DeleteItem): Promise<boolean> {
  return (await attempt(db, item)).applied;
}

async function attempt(db: Database, item: PutItem | UpdateItem | DeleteItem): Promise<Outcome> {
  try {
    await writeItem(db, asSent(item));
    return { applied: true };
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return { applied: false, old: error.Item ? plainItem(error.Item) : undefined };
    throw new ServiceUnavailable();
  }
}

/** The item as DynamoDB takes it: the handler stays with us. */
function asSent(item: PutItem | UpdateItem | DeleteItem): WriteItem {
  if ('Put' in item) return { Put: item.Put };
  if ('Update' in item) return { Update: item.Update };
  return { Delete: item.Delete };
}

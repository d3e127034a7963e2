import { DeleteCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { ServiceUnavailable } from '../../core/errors/index.js';
import type { Database } from './Database.js';
import { isConditionFailure } from './dynamoErrors.js';
import type { DeleteItem, PutItem, UpdateItem } from './itemBuilders.js';

/**
 * A guarded write sent as itself, never carrying an audit event (tidying, derived maps the
 * caller recomputes on a lost race, the audit log's own items): whether its condition held.
 */
export async function sendIfHolds(db: Database, item: PutItem | UpdateItem | DeleteItem): Promise<boolean> {
  try {
    if ('Put' in item) await db.doc.send(new PutCommand(item.Put));
    else if ('Update' in item) await db.doc.send(new UpdateCommand(item.Update));
    else await db.doc.send(new DeleteCommand(item.Delete));
    return true;
  } catch (error) {
    if (isConditionFailure(error)) return false;
    throw new ServiceUnavailable();
  }
}

/** `sendIfHolds` whose condition failing is the error the item declared (else ServiceUnavailable). */
export async function sendGuarded(db: Database, item: PutItem | UpdateItem | DeleteItem): Promise<void> {
  if (!(await sendIfHolds(db, item))) throw item.onConditionFail?.(undefined) ?? new ServiceUnavailable();
}

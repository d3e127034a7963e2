import { Conflict } from '../../core/errors/index.js';
import type { Database } from './Database.js';
import { atRev, type CheckItem, conditionCheck } from './itemBuilders.js';

/** An item the caller's checks read, at the `rev` they read it: the change commits only if it is still there. */
export interface Guard {
  key: { pk: string; sk: string };
  rev: number;
}

/** An item's identity in a transaction, `pk|sk`. */
export const itemId = (key: { pk: string; sk: string }) => `${key.pk}|${key.sk}`;

/** What a change whose guard failed answers: 409, nothing written. */
export const concurrentUpdate = () => new Conflict('CONCURRENT_UPDATE', 'A concurrent change won: reload and retry.');

/**
 * Condition checks that the items the caller's checks read are unchanged (`rev`), one per item:
 * DynamoDB refuses two operations on one item in a transaction, so keys already written or
 * checked by the transaction (`taken`, as `pk|sk`) are left out, as are repeats.
 */
export function guardChecks(db: Database, guards: readonly Guard[], taken: Set<string>): CheckItem[] {
  const items: CheckItem[] = [];
  for (const g of guards) {
    const id = itemId(g.key);
    if (taken.has(id)) continue;
    taken.add(id);
    items.push(conditionCheck(db, g.key, { condition: atRev(g.rev) }));
  }
  return items;
}


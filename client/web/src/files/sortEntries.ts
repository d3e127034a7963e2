import type { Entry } from './filesProtocol.js';

export type SortKey = 'name' | 'size' | 'date';
export interface SortOrder {
  key: SortKey;
  ascending: boolean;
}

const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' });

/** Folders first (as file managers show them), then by the chosen column; ties by name. */
export function sortEntries(entries: readonly Entry[], order: SortOrder): Entry[] {
  const byName = (a: Entry, b: Entry) => collator.compare(a.name ?? '', b.name ?? '');
  const compare: Record<SortKey, (a: Entry, b: Entry) => number> = {
    name: byName,
    size: (a, b) => a.size - b.size,
    date: (a, b) => a.createdAt.localeCompare(b.createdAt),
  };
  const sign = order.ascending ? 1 : -1;
  return [...entries].sort((a, b) => {
    if (a.kind !== b.kind) return a.kind === 'folder' ? -1 : 1;
    return sign * compare[order.key](a, b) || byName(a, b);
  });
}

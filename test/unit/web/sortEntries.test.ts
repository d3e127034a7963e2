import { describe, expect, it } from 'vitest';
import type { Entry } from '../../../client/web/src/files/filesProtocol.js';
import { sortEntries } from '../../../client/web/src/files/sortEntries.js';

const entry = (name: string | undefined, kind: Entry['kind'], size: number, createdAt: string): Entry => ({ nodeId: `n-${name}`, kind, name, size, ownerId: 'alice', role: 'owner', createdAt });

const rows = [
  entry('report 10.pdf', 'document', 300, '2027-01-03T00:00:00Z'),
  entry('Report 9.pdf', 'document', 100, '2027-01-01T00:00:00Z'),
  entry('zeta', 'folder', 0, '2027-01-02T00:00:00Z'),
  entry(undefined, 'document', 200, '2027-01-02T00:00:00Z'),
  entry('alpha', 'folder', 0, '2027-01-04T00:00:00Z'),
];
const names = (sorted: Entry[]) => sorted.map((e) => e.name);

describe('sortEntries', () => {
  it('puts folders first, then names in natural, case-blind order', () => {
    expect(names(sortEntries(rows, { key: 'name', ascending: true }))).toEqual(['alpha', 'zeta', undefined, 'Report 9.pdf', 'report 10.pdf']);
  });

  it('keeps folders first when the order is reversed', () => {
    expect(names(sortEntries(rows, { key: 'name', ascending: false }))).toEqual(['zeta', 'alpha', 'report 10.pdf', 'Report 9.pdf', undefined]);
  });

  it('sorts by size and by date, ties by name', () => {
    expect(names(sortEntries(rows, { key: 'size', ascending: false }))).toEqual(['alpha', 'zeta', 'report 10.pdf', undefined, 'Report 9.pdf']);
    expect(names(sortEntries(rows, { key: 'date', ascending: true }))).toEqual(['zeta', 'alpha', 'Report 9.pdf', undefined, 'report 10.pdf']);
  });

  it('leaves its input as it was', () => {
    const before = names(rows);
    sortEntries(rows, { key: 'size', ascending: true });
    expect(names(rows)).toEqual(before);
  });
});

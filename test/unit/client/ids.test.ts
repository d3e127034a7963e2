import { describe, expect, it } from 'vitest';
import { newId } from '../../../client/sdk/ids.js';
import { documentId } from '../../../shared/core/api/schemas/common.js';

describe('newId', () => {
  it('makes valid 22-character ids that never start with "-" (a command line would read them as options)', () => {
    const ids = Array.from({ length: 4000 }, () => newId());
    for (const id of ids) {
      expect(documentId.safeParse(id).success).toBe(true);
      expect(id.startsWith('-')).toBe(false);
    }
    // Still random: no repeats, and every other first character shows up.
    expect(new Set(ids).size).toBe(ids.length);
    expect(new Set(ids.map((id) => id[0])).size).toBe(63);
  });
});

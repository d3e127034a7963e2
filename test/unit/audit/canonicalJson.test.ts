import { describe, expect, it } from 'vitest';
import { canonicalJson } from '../../../shared/server/audit/canonicalJson.js';
import { eventHash } from '../../../shared/server/audit/eventHash.js';

describe('canonicalJson', () => {
  it('sorts keys at every depth and drops undefined members', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, 'x', null, true], c: undefined, '10': 'ten' } })).toBe('{"a":{"10":"ten","d":[1,"x",null,true]},"b":1}');
  });

  it('gives the same text whatever the insertion order', () => {
    expect(canonicalJson({ x: 1, y: { p: 1, q: 2 } })).toBe(canonicalJson({ y: { q: 2, p: 1 }, x: 1 }));
  });

  it.each([
    ['NaN', Number.NaN],
    ['Infinity', Number.POSITIVE_INFINITY],
    ['a Set', new Set(['a'])],
    ['bytes', new Uint8Array([1])],
    ['a Date', new Date(0)],
    ['a bigint', 1n],
  ])('refuses %s', (_label, value) => {
    expect(() => canonicalJson({ v: value })).toThrow(TypeError);
  });
});

describe('eventHash', () => {
  const item = { pk: 'AUDIT#00', sk: 'SEQ#000000000001', hash: 'h', shard: '00', seq: 1, prevHash: '0'.repeat(64), operation: 'link.open', targets: { linkId: 'L' } };

  it('ignores the key and the stored hash, and nothing else', () => {
    const base = eventHash(item);
    expect(base).toMatch(/^[0-9a-f]{64}$/);
    expect(eventHash({ ...item, pk: 'AUDIT#01', sk: 'SEQ#000000000009', hash: 'other' })).toBe(base);
    expect(eventHash({ ...item, seq: 2 })).not.toBe(base);
    expect(eventHash({ ...item, shard: '01' })).not.toBe(base);
    expect(eventHash({ ...item, prevHash: '1'.repeat(64) })).not.toBe(base);
    expect(eventHash({ ...item, targets: { linkId: 'M' } })).not.toBe(base);
    expect(eventHash({ ...item, extra: '' })).not.toBe(base);
  });
});

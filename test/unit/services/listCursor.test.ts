import { describe, expect, it } from 'vitest';
import { ValidationFailed } from '../../../shared/core/errors/index.js';
import { compareListPositions, decodeListCursor, encodeListCursor } from '../../../shared/server/services/documents/listCursor.js';

const SK = 'GRANT#2026-12-08T02:00:00.000Z#AAAAAAAAAAAAAAAAAAAAAA';
const forge = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

function refusal(decode: () => unknown): unknown {
  try {
    decode();
  } catch (caught) {
    return caught;
  }
  throw new Error('expected a refusal');
}

describe('listCursor', () => {
  it('gives back the position it encoded, for the same caller', () => {
    // Act
    const cursor = encodeListCursor({ u: 'bob', sk: SK, p: 'g:team' });
    // Assess
    expect(decodeListCursor(cursor, 'bob')).toEqual({ u: 'bob', sk: SK, p: 'g:team' });
  });

  it.each([
    ['another caller’s position', forge({ u: 'alice', sk: SK, p: 'u:alice' })],
    ['a position outside the grants', forge({ u: 'bob', sk: 'MEMBER#team', p: 'u:bob' })],
    ['a principal that is neither a user nor a group', forge({ u: 'bob', sk: SK, p: 'link' })],
    ['an extra field', forge({ u: 'bob', sk: SK, p: 'u:bob', gsi1pk: 'PRINCIPAL#u:alice' })],
    ['no JSON at all', Buffer.from('not json').toString('base64url')],
  ])('refuses %s with 400 VALIDATION_FAILED', (_what, cursor) => {
    // Act
    const error = refusal(() => decodeListCursor(cursor, 'bob'));
    // Assess
    expect(error).toBeInstanceOf(ValidationFailed);
    expect(error).toMatchObject({ code: 'VALIDATION_FAILED', message: 'The cursor is not valid: start again without it.' });
  });

  it('orders by grant key, then by principal id (two principals granted the same node at once)', () => {
    // Prepare
    const later = 'GRANT#2026-12-08T03:00:00.000Z#AAAAAAAAAAAAAAAAAAAAAA';
    const positions = [
      { sk: later, p: 'u:bob' },
      { sk: SK, p: 'u:bob' },
      { sk: SK, p: 'g:team' },
    ];
    // Act
    const sorted = [...positions].sort(compareListPositions);
    // Assess
    expect(sorted).toEqual([
      { sk: SK, p: 'g:team' },
      { sk: SK, p: 'u:bob' },
      { sk: later, p: 'u:bob' },
    ]);
  });
});

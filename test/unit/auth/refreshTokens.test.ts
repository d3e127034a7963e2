import { describe, expect, it } from 'vitest';
import { hashRefreshToken, newRefreshToken } from '../../../shared/server/auth/refreshTokens.js';
import { Unauthorized } from '../../../shared/core/errors/index.js';

describe('newRefreshToken', () => {
  it('returns 43 base64url characters (32 bytes) and the SHA-256 hex of the token', () => {
    const { token, hash } = newRefreshToken();
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(token, 'base64url')).toHaveLength(32);
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(hashRefreshToken(token)).toBe(hash);
  });

  it('never repeats', () => {
    const tokens = new Set(Array.from({ length: 1000 }, () => newRefreshToken().token));
    expect(tokens.size).toBe(1000);
  });
});

describe('hashRefreshToken', () => {
  it('matches a fixed vector (SHA-256 of the token string)', () => {
    // printf 'A%.0s' $(seq 43) | sha256sum
    expect(hashRefreshToken('A'.repeat(43))).toBe('0f007385b6f9d4b7eeb2748605afe1a984a0a3bfa3f014d09e2a784ce9e5cd1a');
  });

  it.each([
    ['42 characters', 'A'.repeat(42)],
    ['44 characters', 'A'.repeat(44)],
    ['padding', `${'A'.repeat(42)}=`],
    ['standard base64 characters', `${'A'.repeat(41)}+/A`.slice(0, 43)],
    ['whitespace', ` ${'A'.repeat(42)}`],
    ['a non-canonical last character', `${'A'.repeat(42)}B`],
    ['an empty string', ''],
    ['a non-string', 42],
  ])('refuses %s with INVALID_REFRESH_TOKEN', (_label, token) => {
    let error: unknown;
    try {
      hashRefreshToken(token as string);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(Unauthorized);
    expect(error).toMatchObject({ code: 'INVALID_REFRESH_TOKEN', message: 'The refresh token is not valid: log in again.' });
  });
});

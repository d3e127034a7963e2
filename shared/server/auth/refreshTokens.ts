import { createHash, randomBytes } from 'node:crypto';
import { Unauthorized } from '../../core/errors/index.js';

/**
 * Refresh tokens are 32 random bytes, base64url (43 characters). The table stores only
 * SHA-256 of the token string (`REFRESH#<hex>`): a leaked table cannot be replayed, and
 * 256-bit random tokens need no salt or slow hash.
 */

const REFRESH_TOKEN_BYTES = 32;

/**
 * 43 base64url characters, and canonical: 43 characters carry 258 bits, so the last one must
 * leave its 2 low bits zero (one of A E I M Q U Y c g k o s w 0 4 8). Without that check four
 * strings would decode to the same bytes.
 */
const REFRESH_TOKEN = /^[A-Za-z0-9_-]{42}[AEIMQUYcgkosw048]$/;

export interface NewRefreshToken {
  /** Give to the client; never store. */
  token: string;
  /** Store; lowercase SHA-256 hex of `token`. */
  hash: string;
}

export function newRefreshToken(): NewRefreshToken {
  const token = randomBytes(REFRESH_TOKEN_BYTES).toString('base64url');
  return { token, hash: hashRefreshToken(token) };
}

/** Throws `Unauthorized('INVALID_REFRESH_TOKEN')` for anything that `newRefreshToken` cannot produce. */
export function hashRefreshToken(token: string): string {
  if (typeof token !== 'string' || !REFRESH_TOKEN.test(token)) {
    throw new Unauthorized('INVALID_REFRESH_TOKEN', 'The refresh token is not valid: log in again.');
  }
  return createHash('sha256').update(token, 'ascii').digest('hex');
}

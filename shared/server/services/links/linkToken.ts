import { createHash, randomBytes } from 'node:crypto';
import { ValidationFailed } from '../../../core/errors/index.js';

/** Token and proof: 32 bytes. */
export const LINK_TOKEN_BYTES = 32;
const LINK_ID_DOMAIN = Buffer.from('coffer/v1/link-token\0', 'utf8');

/** A new link's token: 32 bytes from the CSPRNG, as base64url (43 characters). Returned once, never stored. */
export function mintLinkToken(): string {
  return randomBytes(LINK_TOKEN_BYTES).toString('base64url');
}

/**
 * 32 bytes from canonical base64url (43 characters, no padding). Refused (400) otherwise, before
 * anything else runs: a non-canonical spelling of the same bytes is not a second valid token.
 */
export function decode32(value: string, what: string): Buffer {
  const bytes = /^[A-Za-z0-9_-]{43}$/.test(value) ? Buffer.from(value, 'base64url') : undefined;
  if (!bytes || bytes.length !== LINK_TOKEN_BYTES || bytes.toString('base64url') !== value) {
    throw new ValidationFailed(`The ${what} must be 32 bytes as canonical base64url (43 characters).`);
  }
  return bytes;
}

/**
 * The link's id: the first 32 hex characters (128 bits) of
 * SHA-256(utf8("coffer/v1/link-token\0") || tokenBytes). It names the link everywhere and
 * cannot be turned back into the token.
 */
export function linkIdOf(token: string): string {
  const bytes = decode32(token, 'link token');
  return createHash('sha256').update(LINK_ID_DOMAIN).update(bytes).digest('hex').slice(0, 32);
}

import { randomBytes } from './randomBytes.js';

/** A document data-encryption key (DEK) is 32 random bytes (AES-256 strength). */
export const DATA_KEY_BYTES = 32;

/** A fresh random DEK. It never leaves the client unwrapped. */
export function generateDataKey(): Uint8Array {
  return randomBytes(DATA_KEY_BYTES);
}

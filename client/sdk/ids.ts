import { toBase64Url } from '../../shared/core/crypto/index.js';

/**
 * A new node or group id: 16 random bytes, base64url, 22 characters (design.md, Identifiers).
 * Ids starting with '-' are drawn again (1 in 32): on a command line they would read as an
 * option (`coffer share -Ob3...`). That keeps 127.95 of the 128 bits.
 */
export function newId(): string {
  for (;;) {
    const id = toBase64Url(globalThis.crypto.getRandomValues(new Uint8Array(16)));
    if (!id.startsWith('-')) return id;
  }
}

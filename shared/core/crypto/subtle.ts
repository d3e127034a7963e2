/**
 * The WebCrypto `SubtleCrypto` of the running platform (Node >= 20 or a browser).
 * shared/core/crypto never imports node:crypto, so the same code runs on both.
 */
export function subtle(): SubtleCrypto {
  const s = globalThis.crypto?.subtle;
  if (!s) throw new Error('WebCrypto (globalThis.crypto.subtle) is not available: use Node >= 20 or a secure (https) browser context.');
  return s;
}

import { createPrivateKey, createPublicKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { UserKeyPair } from '../../../shared/core/crypto/userKeyPair.js';

/** The importers of the real module (passed in: the module itself is what the pool stands in for). */
export interface KeyImporters {
  importPublicKey(spki: Uint8Array): Promise<CryptoKey>;
  importPrivateKey(pkcs8: Uint8Array): Promise<CryptoKey>;
}

let pool: readonly string[] | undefined;
let next = 0;

/** The pool's private keys, PKCS#8 DER in base64, in the order they are handed out. */
export function keyPool(): readonly string[] {
  pool ??= (JSON.parse(readFileSync(join(import.meta.dirname, 'keyPool.json'), 'utf8')) as { pkcs8: string[] }).pkcs8;
  return pool;
}

/**
 * The next unused pre-generated RSA-OAEP-3072 pair of this process, imported exactly as
 * generateUserKeyPair returns a fresh one (same usages, private key non-extractable). Every pair
 * is handed out once per process, so two users of one test never share a key; running out is an
 * error (regenerate a bigger pool), never a silent reuse.
 */
export async function pooledKeyPair(importers: KeyImporters): Promise<UserKeyPair> {
  const pairs = keyPool();
  if (next >= pairs.length) throw new Error(`The test key pool (${pairs.length} pairs) is used up in this file: regenerate it bigger (generateKeyPool.ts)`);
  const privateKeyPkcs8 = new Uint8Array(Buffer.from(pairs[next++]!, 'base64'));
  const publicKeySpki = new Uint8Array(createPublicKey(createPrivateKey({ key: Buffer.from(privateKeyPkcs8), format: 'der', type: 'pkcs8' })).export({ type: 'spki', format: 'der' }));
  const [publicKey, privateKey] = await Promise.all([importers.importPublicKey(publicKeySpki), importers.importPrivateKey(privateKeyPkcs8)]);
  return { publicKeySpki, privateKeyPkcs8, privateKey, publicKey };
}

import { createPrivateKey } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { generateDataKey } from '../../../shared/core/crypto/dataKey.js';
import { unwrapKey, wrapKey } from '../../../shared/core/crypto/keyWrap.js';
import { fingerprint, generateUserKeyPair } from '../../../shared/core/crypto/userKeyPair.js';
import { isAcceptedRsaOaepKey } from '../../../shared/core/crypto/rsaOaep.js';
import { keyPool } from '../../helpers/keyPool/pooledKeyPair.js';

/** The test key pool (test/helpers/keyPool) stands in for RSA generation in this project's files. */
describe('the test key pool', () => {
  const pool = keyPool();

  it('holds distinct RSA-3072 private keys with e = 65537', () => {
    expect(pool.length).toBeGreaterThan(100);
    expect(new Set(pool).size).toBe(pool.length);
    for (const der of pool) {
      const details = createPrivateKey({ key: Buffer.from(der, 'base64'), format: 'der', type: 'pkcs8' }).asymmetricKeyDetails;
      expect(details).toMatchObject({ modulusLength: 3072, publicExponent: 65537n });
    }
  });

  it('hands out each pair once, shaped as generateUserKeyPair shapes a fresh one', async () => {
    const [a, b] = [await generateUserKeyPair(), await generateUserKeyPair()];
    expect(pool.indexOf(Buffer.from(a.privateKeyPkcs8).toString('base64'))).toBe(0);
    expect(pool.indexOf(Buffer.from(b.privateKeyPkcs8).toString('base64'))).toBe(1);
    expect(await fingerprint(a.publicKeySpki)).not.toBe(await fingerprint(b.publicKeySpki));
    for (const pair of [a, b]) {
      expect(isAcceptedRsaOaepKey(pair.publicKey) && isAcceptedRsaOaepKey(pair.privateKey)).toBe(true);
      expect(pair.privateKey.extractable).toBe(false);
      expect(pair.privateKey.usages.sort()).toEqual(['decrypt', 'unwrapKey']);
    }
    const label = { kind: 'dek', resourceId: 'AAECAwQFBgcICQoLDA0ODw', generation: 1, recipientId: 'u:alice' } as const;
    const dek = generateDataKey();
    expect(await unwrapKey(a.privateKey, await wrapKey(a.publicKey, dek, label), label)).toEqual(dek);
    await expect(unwrapKey(b.privateKey, await wrapKey(a.publicKey, dek, label), label)).rejects.toThrow();
  });
});

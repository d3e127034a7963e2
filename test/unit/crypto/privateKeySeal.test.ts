import { beforeAll, describe, expect, it } from 'vitest';
import { toBase64Url } from '../../../shared/core/crypto/base64url.js';
import { TEST_KDF } from '../../../shared/core/crypto/kdfParams.js';
import { openPrivateKey, sealPrivateKey } from '../../../shared/core/crypto/privateKeySeal.js';
import { deriveUserKeys } from '../../../shared/core/crypto/userKeys.js';
import { expectDecryptionFailed, expectValidationFailed, flipBit } from './support.js';

const kdf = { ...TEST_KDF, salt: toBase64Url(new Uint8Array(16).fill(7)) };
// Stands in for a PKCS#8 (the seal does not parse it).
const pkcs8 = crypto.getRandomValues(new Uint8Array(1793));

let encryptionKey: CryptoKey;
let otherKey: CryptoKey;
let sealed: Uint8Array;

beforeAll(async () => {
  [{ encryptionKey }, { encryptionKey: otherKey }] = await Promise.all([
    deriveUserKeys('correct horse battery staple', kdf),
    deriveUserKeys('correct horse battery stapler', kdf),
  ]);
  sealed = await sealPrivateKey(pkcs8, encryptionKey, 'alice');
});

describe('sealPrivateKey', () => {
  it('round-trips through openPrivateKey', async () => {
    // Act
    const opened = await openPrivateKey(sealed, encryptionKey, 'alice');

    // Assess
    expect(opened).toEqual(pkcs8);
  });

  it('writes version 0x01 || 12-byte nonce || ciphertext || tag, with AAD "coffer/v1/private-key\\0<userId>"', async () => {
    // Act: open by hand, as the format document describes.
    const plain = await crypto.subtle.decrypt(
      { name: 'AES-GCM', iv: sealed.slice(1, 13), additionalData: new TextEncoder().encode('coffer/v1/private-key\0alice') },
      encryptionKey,
      sealed.slice(13),
    );

    // Assess
    expect(sealed[0]).toBe(0x01);
    expect(sealed).toHaveLength(1 + 12 + pkcs8.length + 16);
    expect(new Uint8Array(plain)).toEqual(pkcs8);
  });

  it('uses a fresh nonce each time', async () => {
    // Act
    const again = await sealPrivateKey(pkcs8, encryptionKey, 'alice');

    // Assess
    expect(again.subarray(1, 13)).not.toEqual(sealed.subarray(1, 13));
  });

  it('rejects a user id outside the id rules', async () => {
    await expectValidationFailed(sealPrivateKey(pkcs8, encryptionKey, 'Alice'), /user id must match/);
  });
});

describe('openPrivateKey', () => {
  it('rejects another user id', async () => {
    await expectDecryptionFailed(openPrivateKey(sealed, encryptionKey, 'mallory'));
  });

  it('rejects the key of another passphrase', async () => {
    await expectDecryptionFailed(openPrivateKey(sealed, otherKey, 'alice'));
  });

  it.each([
    ['the version byte', 0],
    ['the nonce', 5],
    ['the ciphertext', 100],
    ['the tag', -1],
  ])('rejects a tampered %s', async (_name, index) => {
    await expectDecryptionFailed(openPrivateKey(flipBit(sealed, index < 0 ? sealed.length + index : index), encryptionKey, 'alice'));
  });

  it('rejects a blob too short to hold a key', async () => {
    await expectDecryptionFailed(openPrivateKey(sealed.subarray(0, 29), encryptionKey, 'alice'));
  });

  it('rejects a truncated blob', async () => {
    await expectDecryptionFailed(openPrivateKey(sealed.subarray(0, sealed.length - 1), encryptionKey, 'alice'));
  });
});

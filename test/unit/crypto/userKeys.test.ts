import { hkdfSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { argon2idBytes } from '../../../shared/core/crypto/argon2id.js';
import { toBase64Url } from '../../../shared/core/crypto/base64url.js';
import { TEST_KDF, type KdfParams } from '../../../shared/core/crypto/kdfParams.js';
import { deriveUserKeys } from '../../../shared/core/crypto/userKeys.js';
import { expectValidationFailed } from './support.js';

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');
const ascii = (text: string) => new TextEncoder().encode(text);
const SALT_0_15 = toBase64Url(Uint8Array.from({ length: 16 }, (_, i) => i));
const kdf: KdfParams = { ...TEST_KDF, salt: SALT_0_15 };

describe('argon2idBytes', () => {
  // Known answers from the Argon2 reference implementation (phc-winner-argon2 src/test.c,
  // version 0x13, Argon2id). Small-memory ones keep the test fast.
  it.each([
    { m: 256, t: 2, p: 1, tag: '9dfeb910e80bad0311fee20f9c0e2b12c17987b4cac90c2ef54d5b3021c68bfe' },
    { m: 256, t: 2, p: 2, tag: '6d093c501fd5999645e0ea3bf620d7b8be7fd2db59c20d9fff9539da2bf57037' },
  ])('matches the reference vector m=$m t=$t p=$p', async ({ m, t, p, tag }) => {
    // Act
    const out = await argon2idBytes(ascii('password'), ascii('somesalt'), { algorithm: 'argon2id', memoryKiB: m, iterations: t, parallelism: p }, 32);

    // Assess
    expect(hex(out)).toBe(tag);
  });
});

describe('deriveUserKeys', () => {
  it('is deterministic with TEST_KDF (pinned known answer)', async () => {
    // Act
    const first = await deriveUserKeys('correct horse battery staple', kdf);
    const second = await deriveUserKeys('correct horse battery staple', kdf);

    // Assess: a change here changes every user's login verifier, i.e. is a format break.
    expect(hex(first.authKey)).toBe('069643801b0663439083214b36cecc2c3731665e70c11306436b9cf14685f3b1');
    expect(second.authKey).toEqual(first.authKey);
  });

  it('follows the key schedule: authKey = HKDF-SHA256(Argon2id(...), info "coffer/v1/auth")', async () => {
    // Prepare: compute the schedule independently (node:crypto HKDF).
    const master = await argon2idBytes(ascii('correct horse battery staple'), Uint8Array.from({ length: 16 }, (_, i) => i), TEST_KDF, 32);
    const expectedAuth = new Uint8Array(hkdfSync('sha256', master, new Uint8Array(0), 'coffer/v1/auth', 32));
    const expectedEnc = new Uint8Array(hkdfSync('sha256', master, new Uint8Array(0), 'coffer/v1/private-key', 32));

    // Act
    const keys = await deriveUserKeys('correct horse battery staple', kdf);

    // Assess: authKey matches, and encryptionKey is the AES key from the other info string.
    expect(keys.authKey).toEqual(expectedAuth);
    const iv = new Uint8Array(12);
    const sealed = await crypto.subtle.encrypt({ name: 'AES-GCM', iv }, keys.encryptionKey, ascii('probe'));
    const reference = await crypto.subtle.importKey('raw', expectedEnc, 'AES-GCM', false, ['decrypt']);
    expect(new Uint8Array(await crypto.subtle.decrypt({ name: 'AES-GCM', iv }, reference, sealed))).toEqual(ascii('probe'));
  });

  it('returns a non-extractable AES-256-GCM encryption key', async () => {
    // Act
    const { encryptionKey, authKey } = await deriveUserKeys('correct horse battery staple', kdf);

    // Assess
    expect(authKey).toHaveLength(32);
    expect(encryptionKey.extractable).toBe(false);
    expect(encryptionKey.algorithm).toMatchObject({ name: 'AES-GCM', length: 256 });
    expect([...encryptionKey.usages].sort()).toEqual(['decrypt', 'encrypt']);
  });

  it('normalises the passphrase with NFKC', async () => {
    // Prepare: "é" precomposed vs e + combining acute; the "ﬁ" ligature vs "fi".
    const composed = await deriveUserKeys('caf\u00e9 \ufb01le', kdf);

    // Act
    const decomposed = await deriveUserKeys('cafe\u0301 file', kdf);

    // Assess
    expect(decomposed.authKey).toEqual(composed.authKey);
  });

  it('derives different keys for a different salt or passphrase', async () => {
    // Prepare
    const base = await deriveUserKeys('correct horse battery staple', kdf);

    // Act
    const otherSalt = await deriveUserKeys('correct horse battery staple', { ...kdf, salt: toBase64Url(new Uint8Array(16)) });
    const otherPassphrase = await deriveUserKeys('correct horse battery stapler', kdf);

    // Assess
    expect(otherSalt.authKey).not.toEqual(base.authKey);
    expect(otherPassphrase.authKey).not.toEqual(base.authKey);
  });

  it('rejects an empty passphrase before hashing', async () => {
    await expectValidationFailed(deriveUserKeys('', kdf), /passphrase must be 1 to 1024 characters/);
  });

  it('rejects hostile KDF parameters before hashing', async () => {
    await expectValidationFailed(deriveUserKeys('correct horse', { ...kdf, memoryKiB: 4 * 1024 * 1024 }), /memoryKiB/);
  });
});

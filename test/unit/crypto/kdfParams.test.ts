import { describe, expect, it } from 'vitest';
import { fromBase64Url, toBase64Url } from '../../../shared/core/crypto/base64url.js';
import {
  DEFAULT_KDF,
  isKdfStrongEnough,
  MIN_PRODUCTION_KDF,
  newKdfParams,
  TEST_KDF,
  type KdfParams,
} from '../../../shared/core/crypto/kdfParams.js';
import { expectValidationFailed } from './support.js';

const SALT = toBase64Url(new Uint8Array(16));

describe('newKdfParams', () => {
  it('uses the production defaults with a fresh 16-byte salt', () => {
    // Act
    const a = newKdfParams();
    const b = newKdfParams();

    // Assess
    expect(a).toMatchObject({ algorithm: 'argon2id', memoryKiB: 65536, iterations: 3, parallelism: 1 });
    expect(fromBase64Url(a.salt)).toHaveLength(16);
    expect(a.salt).not.toBe(b.salt);
  });

  it('takes another cost as base', () => {
    expect(newKdfParams(TEST_KDF)).toMatchObject({ memoryKiB: 1024, iterations: 1, parallelism: 1 });
  });

  it('rejects an unknown algorithm', async () => {
    await expectValidationFailed(() => newKdfParams({ ...DEFAULT_KDF, algorithm: 'scrypt' as 'argon2id' }), /must be "argon2id"/);
  });
});

describe('isKdfStrongEnough', () => {
  it('accepts the defaults and the production minimum', () => {
    expect(isKdfStrongEnough({ ...DEFAULT_KDF, salt: SALT })).toBe(true);
    expect(isKdfStrongEnough({ ...MIN_PRODUCTION_KDF, salt: SALT })).toBe(true);
  });

  it('refuses the test parameters and anything below the minimum', () => {
    expect(isKdfStrongEnough({ ...TEST_KDF, salt: SALT })).toBe(false);
    expect(isKdfStrongEnough({ ...MIN_PRODUCTION_KDF, memoryKiB: 19455, salt: SALT })).toBe(false);
    expect(isKdfStrongEnough({ ...MIN_PRODUCTION_KDF, iterations: 1, salt: SALT })).toBe(false);
  });

  it.each<[string, Partial<KdfParams>, RegExp]>([
    ['a short salt', { salt: toBase64Url(new Uint8Array(15)) }, /salt must be 16 bytes/],
    ['a salt that is not base64url', { salt: 'AAAA AAAA' }, /salt must be base64url/],
    ['a hostile memory size', { memoryKiB: 8 * 1024 * 1024 }, /memoryKiB must be an integer/],
    ['a fractional iteration count', { iterations: 2.5 }, /iterations must be an integer/],
    ['zero lanes', { parallelism: 0 }, /parallelism must be an integer/],
  ])('rejects %s', async (_name, change, message) => {
    await expectValidationFailed(() => isKdfStrongEnough({ ...DEFAULT_KDF, salt: SALT, ...change }), message);
  });
});

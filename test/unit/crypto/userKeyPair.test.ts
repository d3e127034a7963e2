import { createHash, createPublicKey, generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it, vi } from 'vitest';

import {
  fingerprint,
  generateUserKeyPair,
  importPrivateKey,
  importPublicKey,
  type UserKeyPair,
} from '../../../shared/core/crypto/userKeyPair.js';
import { expectValidationFailed } from './support.js';

// Key generation is this file's subject (and the seed flow's): real RSA key pairs, not the test pool.
vi.unmock('../../../shared/core/crypto/userKeyPair.js');

let pair: UserKeyPair;

beforeAll(async () => {
  pair = await generateUserKeyPair();
});

describe('generateUserKeyPair', () => {
  it('makes an RSA-OAEP-3072 SHA-256 key pair with e=65537', () => {
    // Assess: parse the SPKI independently with node:crypto.
    const details = createPublicKey({ key: Buffer.from(pair.publicKeySpki), format: 'der', type: 'spki' }).asymmetricKeyDetails;
    expect(details).toMatchObject({ modulusLength: 3072, publicExponent: 65537n });
    expect(pair.publicKey.algorithm).toMatchObject({ name: 'RSA-OAEP', modulusLength: 3072, hash: { name: 'SHA-256' } });
  });

  it('generates for real here: the pair is none of the test key pool\'s', () => {
    const pool = readFileSync(join(import.meta.dirname, '../../helpers/keyPool/keyPool.json'), 'utf8');
    expect(pool).not.toContain(Buffer.from(pair.privateKeyPkcs8).toString('base64'));
  });

  it('returns a non-extractable private key usable for unwrapping only', () => {
    expect(pair.privateKey.extractable).toBe(false);
    expect([...pair.privateKey.usages].sort()).toEqual(['decrypt', 'unwrapKey']);
    expect(pair.privateKeyPkcs8.length).toBeGreaterThan(1500);
  });
});

describe('importPublicKey', () => {
  it('round-trips the SPKI', async () => {
    // Act
    const key = await importPublicKey(pair.publicKeySpki);

    // Assess
    expect(new Uint8Array(await crypto.subtle.exportKey('spki', key))).toEqual(pair.publicKeySpki);
  });

  it('rejects a 2048-bit key', async () => {
    // Prepare
    const small = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ format: 'der', type: 'spki' });

    // Act / Assess
    await expectValidationFailed(importPublicKey(new Uint8Array(small)), /RSA-OAEP 3072/);
  });

  it('rejects bytes that are not SPKI', async () => {
    await expectValidationFailed(importPublicKey(new Uint8Array(64)), /not an RSA-OAEP SPKI key/);
  });
});

describe('importPrivateKey', () => {
  it('imports the PKCS#8 as non-extractable', async () => {
    // Act
    const key = await importPrivateKey(pair.privateKeyPkcs8);

    // Assess
    expect(key.extractable).toBe(false);
    expect(key.type).toBe('private');
  });

  it('rejects bytes that are not PKCS#8', async () => {
    await expectValidationFailed(importPrivateKey(new Uint8Array(64)), /not an RSA-OAEP PKCS#8 key/);
  });
});

describe('fingerprint', () => {
  it('is the lowercase hex SHA-256 of the SPKI DER', async () => {
    // Act
    const print = await fingerprint(pair.publicKeySpki);

    // Assess
    expect(print).toMatch(/^[0-9a-f]{64}$/);
    expect(print).toBe(createHash('sha256').update(pair.publicKeySpki).digest('hex'));
  });
});

import { createPublicKey } from 'node:crypto';
import { compactVerify, importSPKI } from 'jose';
import { describe, expect, it } from 'vitest';
import { LocalKeyringKeyService } from '../../../shared/server/adapters/local/LocalKeyringKeyService.js';
import { DecryptionFailed } from '../../../shared/core/errors/index.js';
import { KEY_SERVICE_MAX_MESSAGE_BYTES, type KeyService } from '../../../shared/server/ports/KeyService.js';
import { createFakeKms } from './fakeKms.js';

/**
 * The KeyService contract, run unchanged against every adapter. The AWS adapter runs on
 * `createFakeKms`, whose handlers do real crypto, so every assertion here is a real check.
 */

const utf8 = (text: string) => new TextEncoder().encode(text);
const toPem = (der: Uint8Array) =>
  `-----BEGIN PUBLIC KEY-----\n${Buffer.from(der).toString('base64').match(/.{1,64}/g)!.join('\n')}\n-----END PUBLIC KEY-----`;

async function expectDecryptionFailed(promise: Promise<unknown>) {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(DecryptionFailed);
  expect(error).toMatchObject({ code: 'DECRYPTION_FAILED', message: 'Decryption failed.' });
}

interface Adapter {
  name: string;
  /** Two independent services: same kind of adapter, different keys. */
  create(): { service: KeyService; other: KeyService };
}

const adapters: Adapter[] = [
  {
    name: 'LocalKeyringKeyService',
    create: () => ({ service: LocalKeyringKeyService.inMemory(), other: LocalKeyringKeyService.inMemory() }),
  },
  {
    name: 'KmsKeyService (real crypto behind aws-sdk-client-mock)',
    create: () => ({ service: createFakeKms().service, other: createFakeKms().service }),
  },
];

describe.each(adapters)('KeyService contract: $name', ({ create }) => {
  describe('sign', () => {
    it('returns a 64-byte r||s signature that WebCrypto verifies under the SPKI', async () => {
      // Prepare
      const { service } = create();
      const message = utf8('header.payload');
      const publicKey = await crypto.subtle.importKey(
        'spki',
        new Uint8Array(await service.signingPublicKey()),
        { name: 'ECDSA', namedCurve: 'P-256' },
        false,
        ['verify'],
      );

      // Act
      const signature = await service.sign(message);

      // Assess
      expect(signature).toBeInstanceOf(Uint8Array);
      expect(signature.length).toBe(64);
      const params = { name: 'ECDSA', hash: 'SHA-256' };
      expect(await crypto.subtle.verify(params, publicKey, new Uint8Array(signature), message)).toBe(true);
      expect(await crypto.subtle.verify(params, publicKey, new Uint8Array(signature), utf8('header.payloaD'))).toBe(false);
    });

    it('produces ES256 JWS signatures that jose verifies (many signatures, so short r/s occur)', async () => {
      const { service } = create();
      const key = await importSPKI(toPem(await service.signingPublicKey()), 'ES256');
      const header = Buffer.from(JSON.stringify({ alg: 'ES256' })).toString('base64url');
      for (let i = 0; i < 200; i += 1) {
        const input = `${header}.${Buffer.from(`payload ${i}`).toString('base64url')}`;
        const signature = Buffer.from(await service.sign(utf8(input))).toString('base64url');
        const { payload } = await compactVerify(`${input}.${signature}`, key, { algorithms: ['ES256'] });
        expect(new TextDecoder().decode(payload)).toBe(`payload ${i}`);
      }
    });

    it('signs with a key the other service does not have', async () => {
      const { service, other } = create();
      const key = await importSPKI(toPem(await other.signingPublicKey()), 'ES256');
      const input = `${Buffer.from('{"alg":"ES256"}').toString('base64url')}.e30`;
      const signature = Buffer.from(await service.sign(utf8(input))).toString('base64url');
      await expect(compactVerify(`${input}.${signature}`, key)).rejects.toThrow();
    });

    it('refuses messages over the KMS limit', async () => {
      const { service } = create();
      await expect(service.sign(new Uint8Array(KEY_SERVICE_MAX_MESSAGE_BYTES + 1))).rejects.toThrow(RangeError);
    });
  });

  describe('signingPublicKey / signingKeyId', () => {
    it('exposes a P-256 SPKI and a stable non-empty key id', async () => {
      const { service, other } = create();
      const spki = await service.signingPublicKey();
      const key = createPublicKey({ key: Buffer.from(spki), format: 'der', type: 'spki' });
      expect(key.asymmetricKeyType).toBe('ec');
      expect(key.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
      expect(await service.signingPublicKey()).toEqual(spki);
      expect(service.signingKeyId()).toMatch(/\S/);
      expect(service.signingKeyId()).toBe(service.signingKeyId());
      expect(await other.signingPublicKey()).not.toEqual(spki);
    });

    it('hands out copies: mutating one does not change the key', async () => {
      const { service } = create();
      const first = await service.signingPublicKey();
      const original = first.slice();
      first.fill(0);
      expect(await service.signingPublicKey()).toEqual(original);
    });
  });

  describe('signAuditCheckpoint / auditCheckpointPublicKey', () => {
    const params = { name: 'ECDSA', hash: 'SHA-256' };
    const importSpki = async (spki: Uint8Array) =>
      crypto.subtle.importKey('spki', new Uint8Array(spki), { name: 'ECDSA', namedCurve: 'P-256' }, false, ['verify']);

    it('signs r||s that verifies under the audit key only, not the token key', async () => {
      // Prepare
      const { service } = create();
      const message = utf8('{"hash":"ab","purpose":"coffer/audit-checkpoint/v1","seq":1,"shard":"00"}');
      const auditKey = await importSpki(await service.auditCheckpointPublicKey());
      const tokenKey = await importSpki(await service.signingPublicKey());

      // Act
      const signature = await service.signAuditCheckpoint(message);

      // Assess
      expect(signature.length).toBe(64);
      expect(await crypto.subtle.verify(params, auditKey, new Uint8Array(signature), message)).toBe(true);
      expect(await crypto.subtle.verify(params, auditKey, new Uint8Array(signature), utf8('{"hash":"ac"}'))).toBe(false);
      expect(await crypto.subtle.verify(params, tokenKey, new Uint8Array(signature), message)).toBe(false);
      // And a token signature is no checkpoint signature.
      expect(await crypto.subtle.verify(params, auditKey, new Uint8Array(await service.sign(message)), message)).toBe(false);
    });

    it('has a P-256 key of its own, stable, different from the token key and from another service', async () => {
      const { service, other } = create();
      const spki = await service.auditCheckpointPublicKey();
      const key = createPublicKey({ key: Buffer.from(spki), format: 'der', type: 'spki' });
      expect(key.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
      expect(await service.auditCheckpointPublicKey()).toEqual(spki);
      expect(await service.signingPublicKey()).not.toEqual(spki);
      expect(await other.auditCheckpointPublicKey()).not.toEqual(spki);
      spki.fill(0);
      expect(await service.auditCheckpointPublicKey()).not.toEqual(spki);
    });

    it('refuses messages over the KMS limit', async () => {
      const { service } = create();
      await expect(service.signAuditCheckpoint(new Uint8Array(KEY_SERVICE_MAX_MESSAGE_BYTES + 1))).rejects.toThrow(RangeError);
    });
  });

  describe('mac', () => {
    it('is 32 bytes, deterministic, message-dependent and key-dependent', async () => {
      const { service, other } = create();
      const a = await service.mac(utf8('coffer/v1/login\0alice\0'));
      expect(a.length).toBe(32);
      expect(await service.mac(utf8('coffer/v1/login\0alice\0'))).toEqual(a);
      expect(await service.mac(utf8('coffer/v1/login\0alicf\0'))).not.toEqual(a);
      expect(await other.mac(utf8('coffer/v1/login\0alice\0'))).not.toEqual(a);
      expect((await service.mac(new Uint8Array())).length).toBe(32);
    });

    it('refuses messages over the KMS limit', async () => {
      const { service } = create();
      await expect(service.mac(new Uint8Array(KEY_SERVICE_MAX_MESSAGE_BYTES + 1))).rejects.toThrow(RangeError);
    });
  });

  describe('encrypt / decrypt', () => {
    const context = { purpose: 'private-key', userId: 'alice' };

    it.each([0, 1, 32, KEY_SERVICE_MAX_MESSAGE_BYTES])('round-trips %i bytes', async (size) => {
      const { service } = create();
      const plaintext = crypto.getRandomValues(new Uint8Array(size));
      const blob = await service.encrypt(plaintext, context);
      expect(await service.decrypt(blob, context)).toEqual(plaintext);
    });

    it('is randomized and never contains the plaintext', async () => {
      const { service } = create();
      const plaintext = utf8('a secret that must not show up in the blob');
      const a = await service.encrypt(plaintext, context);
      const b = await service.encrypt(plaintext, context);
      expect(a).not.toEqual(b);
      expect(Buffer.from(a).includes(Buffer.from(plaintext))).toBe(false);
    });

    it('ignores the order of the context keys', async () => {
      const { service } = create();
      const blob = await service.encrypt(utf8('x'), { b: '2', a: '1', '10': 'ten' });
      expect(await service.decrypt(blob, { '10': 'ten', a: '1', b: '2' })).toEqual(utf8('x'));
    });

    it.each([
      ['a changed value', { purpose: 'private-key', userId: 'bob' }],
      ['a missing pair', { purpose: 'private-key' }],
      ['an extra pair', { ...context, extra: '' }],
      ['an empty context', {}],
      ['a renamed key', { purpose: 'private-key', userid: 'alice' }],
      ['values moved across keys', { purpose: 'alice', userId: 'private-key' }],
    ])('throws DecryptionFailed for %s', async (_label, wrong) => {
      const { service } = create();
      const blob = await service.encrypt(utf8('secret'), context);
      await expectDecryptionFailed(service.decrypt(blob, wrong));
    });

    it('throws DecryptionFailed for a blob with any single byte flipped', async () => {
      const { service } = create();
      const blob = await service.encrypt(utf8('secret'), context);
      for (const index of [0, 1, 12, Math.floor(blob.length / 2), blob.length - 1]) {
        const tampered = blob.slice();
        tampered[index]! ^= 0x01;
        await expectDecryptionFailed(service.decrypt(tampered, context));
      }
    });

    it('throws DecryptionFailed for truncated, extended and empty blobs', async () => {
      const { service } = create();
      const blob = await service.encrypt(utf8('secret'), context);
      await expectDecryptionFailed(service.decrypt(blob.subarray(0, blob.length - 1), context));
      await expectDecryptionFailed(service.decrypt(blob.subarray(0, 10), context));
      await expectDecryptionFailed(service.decrypt(new Uint8Array([...blob, 0]), context));
      await expectDecryptionFailed(service.decrypt(new Uint8Array(), context));
    });

    it("throws DecryptionFailed for another service's blob", async () => {
      const { service, other } = create();
      const blob = await other.encrypt(utf8('secret'), context);
      await expectDecryptionFailed(service.decrypt(blob, context));
    });

    it('refuses plaintexts over the KMS limit', async () => {
      const { service } = create();
      await expect(service.encrypt(new Uint8Array(KEY_SERVICE_MAX_MESSAGE_BYTES + 1), context)).rejects.toThrow(RangeError);
    });
  });
});

import 'aws-sdk-client-mock-vitest/extend';
import { generateKeyPairSync, sign as nodeSign, verify as nodeVerify } from 'node:crypto';
import {
  DecryptCommand,
  DisabledException,
  EncryptCommand,
  GenerateMacCommand,
  GetPublicKeyCommand,
  IncorrectKeyException,
  InvalidCiphertextException,
  KMSInternalException,
  KMSInvalidStateException,
  SignCommand,
} from '@aws-sdk/client-kms';
import { describe, expect, it } from 'vitest';
import { KmsKeyService } from '../../../shared/server/adapters/aws/KmsKeyService.js';
import { derToJoseSignature } from '../../../shared/server/adapters/aws/KmsSignature.js';
import { CofferError, DecryptionFailed, ServiceUnavailable } from '../../../shared/core/errors/index.js';
import { createFakeKms, DEFAULT_IDS, SDK_SECRET } from './fakeKms.js';

const utf8 = (text: string) => new TextEncoder().encode(text);
const hex = (text: string) => Uint8Array.from(Buffer.from(text.replace(/\s+/g, ''), 'hex'));
const metadata = { $metadata: { requestId: SDK_SECRET } };

/** DER-encode an ECDSA-Sig-Value from big-endian r and s (test-side encoder, minimal form). */
function toDer(r: Uint8Array, s: Uint8Array): Uint8Array {
  const integer = (value: Uint8Array) => {
    let start = 0;
    while (start < value.length - 1 && value[start] === 0) start += 1;
    const trimmed = value.subarray(start);
    const body = trimmed[0]! & 0x80 ? Uint8Array.from([0, ...trimmed]) : trimmed;
    return Uint8Array.from([0x02, body.length, ...body]);
  };
  const content = Uint8Array.from([...integer(r), ...integer(s)]);
  return Uint8Array.from([0x30, content.length, ...content]);
}

async function caught(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (error: unknown) => error,
  );
}

/** The error is the expected Coffer error, with its fixed message and nothing from the SDK. */
function expectNoLeak(error: unknown, type: typeof DecryptionFailed | typeof ServiceUnavailable, code: string) {
  expect(error).toBeInstanceOf(type);
  expect(error).toBeInstanceOf(CofferError);
  const coffer = error as CofferError;
  expect(coffer.code).toBe(code);
  expect(coffer.message).toBe(code === 'DECRYPTION_FAILED' ? 'Decryption failed.' : 'A backing service is unavailable: retry later.');
  expect(coffer.cause).toBeUndefined();
  expect(JSON.stringify({ ...coffer, message: coffer.message, stack: coffer.stack })).not.toContain('leaky');
}

describe('KmsKeyService', () => {
  describe('constructor', () => {
    it('rejects empty key ids', () => {
      const { client } = createFakeKms();
      expect(() => new KmsKeyService({ client, ...DEFAULT_IDS, macKeyId: '' })).toThrow(TypeError);
    });

    it('rejects an empty signing key id', () => {
      const { client } = createFakeKms();
      expect(() => new KmsKeyService({ client, ...DEFAULT_IDS, signingKeyId: '' })).toThrow(TypeError);
    });

    it('without a signing key (the audit job), refuses every token method without calling KMS', async () => {
      const { client, mock } = createFakeKms();
      const service = new KmsKeyService({ client, auditKeyId: DEFAULT_IDS.auditKeyId });
      expect(() => service.signingKeyId()).toThrow(ServiceUnavailable);
      expect(await caught(service.sign(utf8('m')))).toBeInstanceOf(ServiceUnavailable);
      expect(await caught(service.signingPublicKey())).toBeInstanceOf(ServiceUnavailable);
      expect(mock).toReceiveCommandTimes(SignCommand, 0);
      expect(mock).toReceiveCommandTimes(GetPublicKeyCommand, 0);
      // ...and still signs checkpoints.
      expect((await service.signAuditCheckpoint(utf8('m'))).length).toBe(64);
    });

    it('reports the signing key id as the JWT kid', () => {
      const { service } = createFakeKms();
      expect(service.signingKeyId()).toBe(DEFAULT_IDS.signingKeyId);
    });
  });

  describe('sign', () => {
    it('sends Sign with the signing key, RAW message type and ECDSA_SHA_256', async () => {
      // Prepare
      const { service, mock } = createFakeKms();
      const message = utf8('header.payload');

      // Act
      await service.sign(message);

      // Assess
      expect(mock).toReceiveCommandExactlyOnceWith(SignCommand, {
        KeyId: DEFAULT_IDS.signingKeyId,
        Message: message,
        MessageType: 'RAW',
        SigningAlgorithm: 'ECDSA_SHA_256',
      });
    });

    it('converts DER with a 33-byte r (leading zero) and a short s to fixed-width r||s', async () => {
      // Prepare: r has its high bit set (DER adds 0x00), s has two leading zero bytes (DER drops them).
      const r = hex('ff'.repeat(32));
      const s = hex('0000' + '7f'.repeat(30));
      const der = toDer(r, s);
      expect(der[3]).toBe(33); // r encoded with a leading zero
      expect(der[3 + 33 + 2]).toBe(30); // s encoded in 30 bytes
      const { service, mock } = createFakeKms();
      mock.on(SignCommand).resolves({ Signature: der });

      // Act
      const signature = await service.sign(utf8('m'));

      // Assess
      expect(signature).toEqual(Uint8Array.from([...r, ...s]));
    });

    it('converts real KMS-style signatures whose r or s is shorter than 32 bytes', async () => {
      // Prepare: about 1 signature in 128 has a short r or s; search until we have both kinds.
      const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
      const found = { shortR: 0, shortS: 0 };
      for (let i = 0; i < 20_000 && (found.shortR === 0 || found.shortS === 0); i += 1) {
        const message = utf8(`message ${i}`);
        const der = nodeSign('sha256', message, privateKey);
        const rLength = der[3]!;
        const sLength = der[4 + rLength + 1]!;

        // Act
        const raw = derToJoseSignature(der);

        // Assess
        if (rLength < 32) found.shortR += 1;
        if (sLength < 32) found.shortS += 1;
        if (rLength < 32 || sLength < 32 || i < 50) {
          expect(raw.length).toBe(64);
          expect(nodeVerify('sha256', message, { key: publicKey, dsaEncoding: 'ieee-p1363' }, raw)).toBe(true);
        }
      }
      expect(found.shortR).toBeGreaterThan(0);
      expect(found.shortS).toBeGreaterThan(0);
    });

    it.each([
      ['an empty signature', ''],
      ['a wrong outer tag', '31 06 02 01 01 02 01 01'],
      ['a wrong outer length', '30 07 02 01 01 02 01 01'],
      ['a long-form length', '30 81 06 02 01 01 02 01 01'],
      ['trailing bytes', '30 06 02 01 01 02 01 01 00'],
      ['a zero r', '30 06 02 01 00 02 01 01'],
      ['a negative s', '30 06 02 01 01 02 01 81'],
      ['a superfluous leading zero', '30 07 02 02 00 01 02 01 01'],
      ['a wrong integer tag', '30 06 03 01 01 02 01 01'],
      ['an integer running past the end', '30 06 02 01 01 02 05 01'],
      ['a 33-byte r without its high bit', `30 ${(2 + 33 + 3).toString(16)} 02 21 01 ${'00'.repeat(32)} 02 01 01`],
    ])('maps a malformed DER signature (%s) to ServiceUnavailable', async (_label, derHex) => {
      const { service, mock } = createFakeKms();
      mock.on(SignCommand).resolves({ Signature: hex(derHex) });
      expectNoLeak(await caught(service.sign(utf8('m'))), ServiceUnavailable, 'SERVICE_UNAVAILABLE');
    });

    it('maps a missing Signature to ServiceUnavailable', async () => {
      const { service, mock } = createFakeKms();
      mock.on(SignCommand).resolves({});
      expectNoLeak(await caught(service.sign(utf8('m'))), ServiceUnavailable, 'SERVICE_UNAVAILABLE');
    });
  });

  describe('signingPublicKey', () => {
    it('asks KMS once and serves every later call from the cache', async () => {
      // Prepare
      const { service, mock, publicKey } = createFakeKms();

      // Act
      const [first, second] = await Promise.all([service.signingPublicKey(), service.signingPublicKey()]);
      const third = await service.signingPublicKey();

      // Assess
      expect(mock).toReceiveCommandTimes(GetPublicKeyCommand, 1);
      expect(mock).toReceiveCommandWith(GetPublicKeyCommand, { KeyId: DEFAULT_IDS.signingKeyId });
      const expected = new Uint8Array(publicKey.export({ format: 'der', type: 'spki' }));
      expect(first).toEqual(expected);
      expect(second).toEqual(expected);
      expect(third).toEqual(expected);
    });

    it('does not cache a failure', async () => {
      const { service, mock } = createFakeKms();
      const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
      const spki = new Uint8Array(publicKey.export({ format: 'der', type: 'spki' }));
      mock
        .on(GetPublicKeyCommand)
        .rejectsOnce(new KMSInvalidStateException({ message: SDK_SECRET, ...metadata }))
        .resolves({ PublicKey: spki, KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' });

      expectNoLeak(await caught(service.signingPublicKey()), ServiceUnavailable, 'SERVICE_UNAVAILABLE');
      expect(await service.signingPublicKey()).toEqual(spki);
      expect(await service.signingPublicKey()).toEqual(spki);
      expect(mock).toReceiveCommandTimes(GetPublicKeyCommand, 2);
    });

    it.each([
      ['an RSA key', { KeySpec: 'RSA_2048', KeyUsage: 'SIGN_VERIFY' }],
      ['a P-384 key', { KeySpec: 'ECC_NIST_P384', KeyUsage: 'SIGN_VERIFY' }],
      ['a key agreement key', { KeySpec: 'ECC_NIST_P256', KeyUsage: 'KEY_AGREEMENT' }],
    ] as const)('refuses %s', async (_label, response) => {
      const { service, mock } = createFakeKms();
      mock.on(GetPublicKeyCommand).resolves({ PublicKey: new Uint8Array(91), ...response });
      expectNoLeak(await caught(service.signingPublicKey()), ServiceUnavailable, 'SERVICE_UNAVAILABLE');
    });
  });

  describe('signAuditCheckpoint / auditCheckpointPublicKey', () => {
    it('signs with the audit key, never the token key', async () => {
      // Prepare
      const { service, mock, auditPublicKey } = createFakeKms();
      const message = utf8('{"purpose":"coffer/audit-checkpoint/v1"}');

      // Act
      const signature = await service.signAuditCheckpoint(message);

      // Assess
      expect(mock).toReceiveCommandExactlyOnceWith(SignCommand, {
        KeyId: DEFAULT_IDS.auditKeyId,
        Message: message,
        MessageType: 'RAW',
        SigningAlgorithm: 'ECDSA_SHA_256',
      });
      expect(signature.length).toBe(64);
      expect(nodeVerify('sha256', message, { key: auditPublicKey, dsaEncoding: 'ieee-p1363' }, signature)).toBe(true);
    });

    it('fetches the audit public key once, separately from the token key', async () => {
      const { service, mock, auditPublicKey } = createFakeKms();
      const [a, b] = await Promise.all([service.auditCheckpointPublicKey(), service.auditCheckpointPublicKey()]);
      expect(a).toEqual(new Uint8Array(auditPublicKey.export({ format: 'der', type: 'spki' })));
      expect(b).toEqual(a);
      expect(await service.signingPublicKey()).not.toEqual(a);
      expect(mock).toReceiveCommandWith(GetPublicKeyCommand, { KeyId: DEFAULT_IDS.auditKeyId });
      expect(mock).toReceiveCommandTimes(GetPublicKeyCommand, 2);
    });

    it('fails with ServiceUnavailable, without calling KMS, in a function not given the audit key', async () => {
      const { client, mock } = createFakeKms();
      const service = new KmsKeyService({ client, signingKeyId: DEFAULT_IDS.signingKeyId });
      expect(await caught(service.signAuditCheckpoint(utf8('m')))).toBeInstanceOf(ServiceUnavailable);
      expect(await caught(service.auditCheckpointPublicKey())).toBeInstanceOf(ServiceUnavailable);
      expect(mock).toReceiveCommandTimes(SignCommand, 0);
      expect(mock).toReceiveCommandTimes(GetPublicKeyCommand, 0);
    });

    it('maps KMS failures to ServiceUnavailable without leaking the SDK message', async () => {
      const { service, mock } = createFakeKms();
      mock.on(SignCommand).rejects(new DisabledException({ message: SDK_SECRET, ...metadata }));
      expectNoLeak(await caught(service.signAuditCheckpoint(utf8('m'))), ServiceUnavailable, 'SERVICE_UNAVAILABLE');
    });

    it('refuses an audit key of the wrong type', async () => {
      const { service, mock } = createFakeKms();
      mock.on(GetPublicKeyCommand).resolves({ PublicKey: new Uint8Array(91), KeySpec: 'RSA_2048', KeyUsage: 'SIGN_VERIFY' });
      expectNoLeak(await caught(service.auditCheckpointPublicKey()), ServiceUnavailable, 'SERVICE_UNAVAILABLE');
    });

    it('rejects an empty audit key id', () => {
      const { client } = createFakeKms();
      expect(() => new KmsKeyService({ client, ...DEFAULT_IDS, auditKeyId: '' })).toThrow(TypeError);
    });
  });

  describe('mac', () => {
    it('sends GenerateMac with the MAC key and HMAC_SHA_256', async () => {
      const { service, mock } = createFakeKms();
      const message = utf8('coffer/v1/login\0alice\0');
      await service.mac(message);
      expect(mock).toReceiveCommandExactlyOnceWith(GenerateMacCommand, {
        KeyId: DEFAULT_IDS.macKeyId,
        Message: message,
        MacAlgorithm: 'HMAC_SHA_256',
      });
    });

    it('refuses a MAC that is not 32 bytes', async () => {
      const { service, mock } = createFakeKms();
      mock.on(GenerateMacCommand).resolves({ Mac: new Uint8Array(64) });
      expectNoLeak(await caught(service.mac(utf8('m'))), ServiceUnavailable, 'SERVICE_UNAVAILABLE');
    });
  });

  describe('encrypt / decrypt', () => {
    const context = { purpose: 'private-key', userId: 'alice' };

    it('sends Encrypt and Decrypt with the data key, SYMMETRIC_DEFAULT and the EncryptionContext', async () => {
      // Prepare
      const { service, mock } = createFakeKms();
      const plaintext = utf8('sealed private key');

      // Act
      const blob = await service.encrypt(plaintext, context);
      await service.decrypt(blob, context);

      // Assess
      expect(mock).toReceiveCommandExactlyOnceWith(EncryptCommand, {
        KeyId: DEFAULT_IDS.dataKeyId,
        Plaintext: plaintext,
        EncryptionContext: context,
        EncryptionAlgorithm: 'SYMMETRIC_DEFAULT',
      });
      expect(mock).toReceiveCommandExactlyOnceWith(DecryptCommand, {
        KeyId: DEFAULT_IDS.dataKeyId,
        CiphertextBlob: blob,
        EncryptionContext: context,
        EncryptionAlgorithm: 'SYMMETRIC_DEFAULT',
      });
    });

    it.each([
      ['InvalidCiphertextException', () => new InvalidCiphertextException({ message: SDK_SECRET, ...metadata })],
      ['IncorrectKeyException', () => new IncorrectKeyException({ message: SDK_SECRET, ...metadata })],
    ])('maps %s on Decrypt to DecryptionFailed without the SDK message', async (_name, error) => {
      const { service, mock } = createFakeKms();
      mock.on(DecryptCommand).rejects(error());
      expectNoLeak(await caught(service.decrypt(new Uint8Array(64), context)), DecryptionFailed, 'DECRYPTION_FAILED');
    });

    it.each([
      ['KMSInternalException', () => new KMSInternalException({ message: SDK_SECRET, ...metadata })],
      ['DisabledException', () => new DisabledException({ message: SDK_SECRET, ...metadata })],
      ['KMSInvalidStateException', () => new KMSInvalidStateException({ message: SDK_SECRET, ...metadata })],
      ['AccessDeniedException', () => Object.assign(new Error(`User is not authorized ${SDK_SECRET}`), { name: 'AccessDeniedException' })],
      ['a throttling error', () => Object.assign(new Error(`Rate exceeded ${SDK_SECRET}`), { name: 'ThrottlingException' })],
      ['a network error', () => new Error(`connect ECONNREFUSED for ${SDK_SECRET}`)],
      ['a non-Error rejection', () => SDK_SECRET],
    ])('maps %s on Decrypt to ServiceUnavailable without the SDK message', async (_name, error) => {
      const { service, mock } = createFakeKms();
      mock.on(DecryptCommand).rejects(error() as Error);
      expectNoLeak(await caught(service.decrypt(new Uint8Array(64), context)), ServiceUnavailable, 'SERVICE_UNAVAILABLE');
    });

    type Mock = ReturnType<typeof createFakeKms>['mock'];
    const sdkError = () => new InvalidCiphertextException({ message: SDK_SECRET, ...metadata });
    it.each([
      ['Sign', (m: Mock) => m.on(SignCommand).rejects(sdkError()), (s: KmsKeyService) => s.sign(utf8('m'))],
      ['GenerateMac', (m: Mock) => m.on(GenerateMacCommand).rejects(sdkError()), (s: KmsKeyService) => s.mac(utf8('m'))],
      ['GetPublicKey', (m: Mock) => m.on(GetPublicKeyCommand).rejects(sdkError()), (s: KmsKeyService) => s.signingPublicKey()],
      ['Encrypt', (m: Mock) => m.on(EncryptCommand).rejects(sdkError()), (s: KmsKeyService) => s.encrypt(utf8('m'), context)],
    ] as const)('maps every %s error (even InvalidCiphertextException) to ServiceUnavailable', async (_name, arrange, act) => {
      const { service, mock } = createFakeKms();
      arrange(mock);
      expectNoLeak(await caught(act(service)), ServiceUnavailable, 'SERVICE_UNAVAILABLE');
    });

    it('throws DecryptionFailed for an empty blob without calling KMS', async () => {
      const { service, mock } = createFakeKms();
      expectNoLeak(await caught(service.decrypt(new Uint8Array(), context)), DecryptionFailed, 'DECRYPTION_FAILED');
      expect(mock).not.toReceiveCommand(DecryptCommand);
    });

    it('refuses a non-string context value before calling KMS', async () => {
      const { service, mock } = createFakeKms();
      await expect(service.encrypt(utf8('m'), { n: 1 } as unknown as Record<string, string>)).rejects.toThrow(TypeError);
      expect(mock).not.toReceiveCommand(EncryptCommand);
    });
  });
});

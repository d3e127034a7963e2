import { beforeAll, describe, expect, it } from 'vitest';
import { DATA_KEY_BYTES, generateDataKey } from '../../../shared/core/crypto/dataKey.js';
import { encodeWrapLabel, unwrapKey, wrapKey, type WrapLabel } from '../../../shared/core/crypto/keyWrap.js';
import { generateUserKeyPair, type UserKeyPair } from '../../../shared/core/crypto/userKeyPair.js';
import { expectDecryptionFailed, expectValidationFailed, flipBit } from './support.js';

const label: WrapLabel = { kind: 'dek', resourceId: 'AAECAwQFBgcICQoLDA0ODw', generation: 1, recipientId: 'alice' };

let alice: UserKeyPair;
let bob: UserKeyPair;
let dek: Uint8Array;
let wrapped: Uint8Array;

beforeAll(async () => {
  [alice, bob] = await Promise.all([generateUserKeyPair(), generateUserKeyPair()]);
  dek = generateDataKey();
  wrapped = await wrapKey(alice.publicKey, dek, label);
});

describe('generateDataKey', () => {
  it('returns 32 fresh random bytes', () => {
    expect(generateDataKey()).toHaveLength(DATA_KEY_BYTES);
    expect(generateDataKey()).not.toEqual(generateDataKey());
  });
});

describe('wrapKey', () => {
  it('round-trips through unwrapKey with the same label', async () => {
    // Act
    const unwrapped = await unwrapKey(alice.privateKey, wrapped, label);

    // Assess
    expect(wrapped).toHaveLength(384);
    expect(unwrapped).toEqual(dek);
  });

  it('uses the documented OAEP label bytes', async () => {
    // Prepare: the label as docs/envelope-format.md spells it.
    const spelled = new TextEncoder().encode('coffer/v1/wrap\0dek\0AAECAwQFBgcICQoLDA0ODw\x001\0alice');

    // Act: decrypt with raw WebCrypto and that label.
    const raw = await crypto.subtle.decrypt({ name: 'RSA-OAEP', label: spelled }, alice.privateKey, wrapped as Uint8Array<ArrayBuffer>);

    // Assess
    expect(encodeWrapLabel(label)).toEqual(spelled);
    expect(new Uint8Array(raw)).toEqual(dek);
  });

  it('rejects a key that is not 32 bytes', async () => {
    await expectValidationFailed(wrapKey(alice.publicKey, new Uint8Array(31), label), /exactly 32 bytes/);
  });

  it.each([
    ['a \\0 in the resource id', { resourceId: 'doc\0x' }, /must not contain \\0/],
    ['a \\0 in the recipient id', { recipientId: 'alice\0bob' }, /must not contain \\0/],
    ['an empty resource id', { resourceId: '' }, /non-empty string/],
    ['an unknown kind', { kind: 'file' as WrapLabel['kind'] }, /kind must be one of/],
    ['a negative generation', { generation: -1 }, /non-negative integer/],
    ['a fractional generation', { generation: 1.5 }, /non-negative integer/],
  ])('rejects a label with %s', async (_name, change, message) => {
    await expectValidationFailed(wrapKey(alice.publicKey, dek, { ...label, ...change }), message);
  });

  it('rejects a private key where a public key is expected', async () => {
    await expectValidationFailed(wrapKey(alice.privateKey, dek, label), /public CryptoKey/);
  });
});

describe('unwrapKey', () => {
  it.each<[string, Partial<WrapLabel>]>([
    ['kind', { kind: 'group' }],
    ['resourceId (another document)', { resourceId: 'EBESExQVFhcYGRobHB0eHw' }],
    ['generation (another version)', { generation: 2 }],
    ['recipientId (another user)', { recipientId: 'bob' }],
  ])('rejects a wrapped key moved to another %s', async (_name, change) => {
    await expectDecryptionFailed(unwrapKey(alice.privateKey, wrapped, { ...label, ...change }));
  });

  it('rejects the wrong private key', async () => {
    await expectDecryptionFailed(unwrapKey(bob.privateKey, wrapped, label));
  });

  it('rejects a tampered wrapped key', async () => {
    await expectDecryptionFailed(unwrapKey(alice.privateKey, flipBit(wrapped, 200), label));
  });

  it('rejects a truncated wrapped key before any crypto', async () => {
    await expectDecryptionFailed(unwrapKey(alice.privateKey, wrapped.subarray(0, 383), label));
  });

  it('rejects a wrapped value that is not a 32-byte key', async () => {
    // Prepare: a valid OAEP ciphertext of 16 bytes under the right label.
    const short = new Uint8Array(
      await crypto.subtle.encrypt({ name: 'RSA-OAEP', label: encodeWrapLabel(label) }, alice.publicKey, new Uint8Array(16)),
    );

    // Act / Assess
    await expectDecryptionFailed(unwrapKey(alice.privateKey, short, label));
  });
});

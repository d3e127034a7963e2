import { createPublicKey, hkdfSync } from 'node:crypto';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { fromBase64Url, toBase64Url } from '../../../shared/core/crypto/base64url.js';
import { generateDataKey } from '../../../shared/core/crypto/dataKey.js';
import {
  generateGroupKeyPair,
  generateGroupSecret,
  GROUP_SECRET_BYTES,
  openGroupPrivateKey,
  sealGroupPrivateKey,
  type GroupKeyLabel,
  type GroupKeyPair,
} from '../../../shared/core/crypto/groupKeys.js';
import { unwrapKeyUnderKey, wrapKeyUnderKey, type KeyUnderKeyLabel } from '../../../shared/core/crypto/keyUnderKey.js';
import { unwrapKey, wrapKey, type WrapLabel } from '../../../shared/core/crypto/keyWrap.js';
import { generateUserKeyPair, type UserKeyPair } from '../../../shared/core/crypto/userKeyPair.js';
import { expectDecryptionFailed, expectValidationFailed, flipBit } from './support.js';

// Key generation is this file's subject (and the seed flow's): real RSA key pairs, not the test pool.
vi.unmock('../../../shared/core/crypto/userKeyPair.js');

const GROUP = 'R1JPVVAtZW5naW5lZXJzMQ';
const OTHER_GROUP = 'R1JPVVAtbWFya2V0aW5nMQ';
const DOC = 'AAECAwQFBgcICQoLDA0ODw';
const label: GroupKeyLabel = { groupId: GROUP, generation: 1 };

let group: GroupKeyPair;
let otherGroup: GroupKeyPair;
let secret: Uint8Array;
let sealed: string;

beforeAll(async () => {
  [group, otherGroup] = await Promise.all([generateGroupKeyPair(), generateGroupKeyPair()]);
  secret = generateGroupSecret();
  sealed = await sealGroupPrivateKey(secret, group.privateKeyPkcs8, label);
});

afterEach(() => {
  vi.restoreAllMocks();
});

/** The AAD as docs/envelope-format.md spells it, built independently of the implementation. */
function spelledAad(groupId: string, generation: number) {
  const id = Buffer.from(groupId, 'utf8');
  const len = Buffer.alloc(2);
  len.writeUInt16BE(id.length);
  const gen = Buffer.alloc(8);
  gen.writeBigUInt64BE(BigInt(generation));
  return Buffer.concat([Buffer.from('coffer/v1/group-private-key\0'), len, id, gen]);
}

/** An AES-GCM key derived from the secret the documented way, with node:crypto. */
async function documentedKey(usage: KeyUsage): Promise<CryptoKey> {
  const raw = new Uint8Array(hkdfSync('sha256', secret, new Uint8Array(0), 'coffer/v1/group-private-key', 32));
  return crypto.subtle.importKey('raw', raw, 'AES-GCM', false, [usage]);
}

describe('the crypto front door', () => {
  it('exports the folder and group functions', async () => {
    // Act
    const front = await import('../../../shared/core/crypto/index.js');

    // Assess
    expect(front).toMatchObject({
      GROUP_SECRET_BYTES: 32,
      generateGroupKeyPair,
      generateGroupSecret,
      openGroupPrivateKey,
      sealGroupPrivateKey,
      unwrapKeyUnderKey,
      wrapKeyUnderKey,
    });
  });
});

describe('generateGroupSecret', () => {
  it('returns 32 fresh random bytes', () => {
    expect(GROUP_SECRET_BYTES).toBe(32);
    expect(generateGroupSecret()).toHaveLength(32);
    expect(generateGroupSecret()).not.toEqual(generateGroupSecret());
  });
});

describe('generateGroupKeyPair', () => {
  it('makes an RSA-OAEP-3072 SHA-256 key pair with e=65537 and a non-extractable private key', () => {
    // Assess: parse the SPKI independently with node:crypto.
    const details = createPublicKey({ key: Buffer.from(group.publicKeySpki), format: 'der', type: 'spki' }).asymmetricKeyDetails;
    expect(details).toMatchObject({ modulusLength: 3072, publicExponent: 65537n });
    expect(group.privateKey.algorithm).toMatchObject({ name: 'RSA-OAEP', modulusLength: 3072, hash: { name: 'SHA-256' } });
    expect(group.privateKey.extractable).toBe(false);
    expect([...group.privateKey.usages].sort()).toEqual(['decrypt', 'unwrapKey']);
    expect(group.publicKeySpki).not.toEqual(otherGroup.publicKeySpki);
  });
});

describe('sealGroupPrivateKey', () => {
  it('round-trips through openGroupPrivateKey to a non-extractable RSA-OAEP private key', async () => {
    // Act
    const opened = await openGroupPrivateKey(secret, sealed, label);

    // Assess
    expect(sealed).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(opened).toMatchObject({ type: 'private', extractable: false, algorithm: { name: 'RSA-OAEP', modulusLength: 3072 } });
    expect([...opened.usages].sort()).toEqual(['decrypt', 'unwrapKey']);
  });

  it('writes 0x01 || nonce || ciphertext || tag under HKDF(secret, "coffer/v1/group-private-key") with the documented AAD', async () => {
    // Prepare
    const bytes = fromBase64Url(sealed);

    // Act: open by hand, as the format document describes.
    const plain = await crypto.subtle.decrypt(
      { name: 'AES-GCM', iv: bytes.slice(1, 13), additionalData: spelledAad(GROUP, 1) },
      await documentedKey('decrypt'),
      bytes.slice(13),
    );

    // Assess
    expect(bytes[0]).toBe(0x01);
    expect(bytes).toHaveLength(1 + 12 + group.privateKeyPkcs8.length + 16);
    expect(new Uint8Array(plain)).toEqual(group.privateKeyPkcs8);
  });

  it('uses a fresh nonce each time', async () => {
    // Act
    const again = fromBase64Url(await sealGroupPrivateKey(secret, group.privateKeyPkcs8, label));

    // Assess
    expect(again.subarray(1, 13)).not.toEqual(fromBase64Url(sealed).subarray(1, 13));
  });

  it.each<[string, unknown, unknown, RegExp]>([
    ['a secret of 31 bytes', new Uint8Array(31), undefined, /group secret must be exactly 32 bytes/],
    ['a secret that is not bytes', 'secret', undefined, /group secret must be a Uint8Array/],
    ['an empty private key', undefined, new Uint8Array(0), /1 to 8192 bytes of PKCS#8/],
    ['a private key over 8192 bytes', undefined, new Uint8Array(8193), /1 to 8192 bytes of PKCS#8/],
    ['bytes that are not a PKCS#8 key', undefined, new Uint8Array(1200).fill(7), /not an RSA-OAEP PKCS#8 key/],
  ])('rejects %s', async (_name, badSecret, badPkcs8, message) => {
    const action = sealGroupPrivateKey((badSecret ?? secret) as Uint8Array, (badPkcs8 ?? group.privateKeyPkcs8) as Uint8Array, label);
    await expectValidationFailed(action, message);
  });

  it.each<[string, Partial<Record<keyof GroupKeyLabel, unknown>>, RegExp]>([
    ['an empty group id', { groupId: '' }, /group id must be a non-empty string/],
    ['a group id that is not a string', { groupId: 7 }, /group id must be a non-empty string/],
    ['a \\0 in the group id', { groupId: `${GROUP}\0` }, /group id must not contain \\0/],
    ['a group id over 256 bytes', { groupId: 'g'.repeat(257) }, /group id must be at most 256 bytes/],
    ['a negative generation', { generation: -1 }, /generation must be a non-negative integer/],
    ['a fractional generation', { generation: 0.5 }, /generation must be a non-negative integer/],
    ['a generation beyond 2^53 - 1', { generation: 2 ** 53 }, /generation must be a non-negative integer/],
  ])('rejects a label with %s on seal and open', async (_name, change, message) => {
    // Prepare
    const bad = { ...label, ...change } as GroupKeyLabel;

    // Act / Assess
    await expectValidationFailed(sealGroupPrivateKey(secret, group.privateKeyPkcs8, bad), message);
    await expectValidationFailed(openGroupPrivateKey(secret, sealed, bad), message);
  });
});

describe('openGroupPrivateKey', () => {
  it('rejects the wrong secret', async () => {
    await expectDecryptionFailed(openGroupPrivateKey(generateGroupSecret(), sealed, label));
  });

  it('rejects a sealed key moved to another group', async () => {
    await expectDecryptionFailed(openGroupPrivateKey(secret, sealed, { ...label, groupId: OTHER_GROUP }));
  });

  it.each([0, 2])('rejects a sealed key presented as generation %i', async (generation) => {
    await expectDecryptionFailed(openGroupPrivateKey(secret, sealed, { ...label, generation }));
  });

  it.each([
    ['the version byte', 0],
    ['the nonce', 5],
    ['the ciphertext', 13],
    ['the middle of the ciphertext', 900],
    ['the tag', -1],
  ])('rejects a change to %s', async (_name, index) => {
    // Prepare
    const bytes = fromBase64Url(sealed);
    const tampered = toBase64Url(flipBit(bytes, index < 0 ? bytes.length + index : index));

    // Act / Assess
    await expectDecryptionFailed(openGroupPrivateKey(secret, tampered, label));
  });

  it.each<[string, (bytes: Uint8Array, text: string) => string]>([
    ['truncated by one byte', (b) => toBase64Url(b.subarray(0, -1))],
    ['truncated to its overhead (no ciphertext)', (b) => toBase64Url(b.subarray(0, 29))],
    ['extended by one byte', (b) => toBase64Url(Uint8Array.of(...b, 0))],
    ['with another version byte', (b) => toBase64Url(Uint8Array.of(0x02, ...b.subarray(1)))],
    ['longer than any sealed key', () => 'A'.repeat(11_000)],
    ['invalid base64url', (_b, t) => `${t.slice(0, -1)}=`],
    ['empty', () => ''],
  ])('rejects a sealed key %s', async (_name, mangle) => {
    const bytes = fromBase64Url(sealed);
    await expectDecryptionFailed(openGroupPrivateKey(secret, mangle(bytes, sealed), label));
  });

  it.each<[string, (bytes: Uint8Array, text: string) => string]>([
    ['with another version byte', (b) => toBase64Url(Uint8Array.of(0x00, ...b.subarray(1)))],
    ['truncated to its overhead', (b) => toBase64Url(b.subarray(0, 29))],
    ['in the standard alphabet', (_b, t) => `+${t.slice(1)}`],
  ])('checks the format before any crypto: %s', async (_name, mangle) => {
    // Prepare: watch the real WebCrypto.
    const mangled = mangle(fromBase64Url(sealed), sealed);
    const importKey = vi.spyOn(crypto.subtle, 'importKey');
    const decrypt = vi.spyOn(crypto.subtle, 'decrypt');

    // Act
    await expectDecryptionFailed(openGroupPrivateKey(secret, mangled, label));

    // Assess
    expect(importKey).not.toHaveBeenCalled();
    expect(decrypt).not.toHaveBeenCalled();
  });

  it('rejects authentic contents that are not an RSA-OAEP key', async () => {
    // Prepare: seal junk by hand under the right key and AAD, so only the import can fail.
    const nonce = crypto.getRandomValues(new Uint8Array(12));
    const params = { name: 'AES-GCM', iv: nonce, additionalData: spelledAad(GROUP, 1) };
    const junk = new Uint8Array(await crypto.subtle.encrypt(params, await documentedKey('encrypt'), new Uint8Array(1200).fill(7)));
    const blob = toBase64Url(Uint8Array.of(0x01, ...nonce, ...junk));

    // Act / Assess
    await expectDecryptionFailed(openGroupPrivateKey(secret, blob, label));
  });

  it('rejects a sealed key that is not a string', async () => {
    await expectValidationFailed(openGroupPrivateKey(secret, fromBase64Url(sealed) as unknown as string, label), /base64url string/);
  });
});

describe('grants to a group', () => {
  const dekLabel: WrapLabel = { kind: 'dek', resourceId: DOC, generation: 1, recipientId: `g:${GROUP}` };

  it('unwraps a DEK wrapped for the group public key with the opened group private key, and not another group\'s', async () => {
    // Prepare
    const dek = generateDataKey();
    const wrapped = await wrapKey(group.publicKey, dek, dekLabel);
    const otherSecret = generateGroupSecret();
    const otherLabel = { groupId: OTHER_GROUP, generation: 1 };
    const otherSealed = await sealGroupPrivateKey(otherSecret, otherGroup.privateKeyPkcs8, otherLabel);

    // Act
    const groupKey = await openGroupPrivateKey(secret, sealed, label);
    const otherKey = await openGroupPrivateKey(otherSecret, otherSealed, otherLabel);

    // Assess
    expect(await unwrapKey(groupKey, wrapped, dekLabel)).toEqual(dek);
    await expectDecryptionFailed(unwrapKey(otherKey, wrapped, dekLabel));
    await expectDecryptionFailed(unwrapKey(otherKey, wrapped, { ...dekLabel, recipientId: `g:${OTHER_GROUP}` }));
  });

  describe('a member, then a rotation', () => {
    let alice: UserKeyPair;
    let bob: UserKeyPair;
    let gen2: GroupKeyPair;

    beforeAll(async () => {
      [alice, bob, gen2] = await Promise.all([generateUserKeyPair(), generateUserKeyPair(), generateGroupKeyPair()]);
    });

    const secretLabel = (generation: number, member: string): WrapLabel => ({
      kind: 'group',
      resourceId: GROUP,
      generation,
      recipientId: `u:${member}`,
    });
    const chainLabel: KeyUnderKeyLabel = { kind: 'group-chain', resourceId: GROUP, generation: 1, parentId: GROUP, parentGeneration: 2 };

    it('lets a member go secret -> group private key -> DEK, and after rotation reach generation 1 grants through the chain', async () => {
      // Prepare: generation 1 with Alice and Bob; a grant wrapped for generation 1.
      const dek = generateDataKey();
      const grant = await wrapKey(group.publicKey, dek, dekLabel);
      const aliceSecret1 = await wrapKey(alice.publicKey, secret, secretLabel(1, 'alice'));
      const bobSecret1 = await wrapKey(bob.publicKey, secret, secretLabel(1, 'bob'));
      // Bob is removed: generation 2 for Alice only, and S1 chained under S2.
      const secret2 = generateGroupSecret();
      const sealed2 = await sealGroupPrivateKey(secret2, gen2.privateKeyPkcs8, { groupId: GROUP, generation: 2 });
      const aliceSecret2 = await wrapKey(alice.publicKey, secret2, secretLabel(2, 'alice'));
      const chain1 = await wrapKeyUnderKey(secret2, secret, chainLabel);

      // Act: Alice holds only her generation 2 wrap.
      const s2 = await unwrapKey(alice.privateKey, aliceSecret2, secretLabel(2, 'alice'));
      const s1 = await unwrapKeyUnderKey(s2, chain1, chainLabel);
      const key1 = await openGroupPrivateKey(s1, sealed, label);
      const reached = await unwrapKey(key1, grant, dekLabel);

      // Assess: Alice reaches the old grant; Bob's old secret opens generation 1 but not 2.
      expect(reached).toEqual(dek);
      const bobS1 = await unwrapKey(bob.privateKey, bobSecret1, secretLabel(1, 'bob'));
      expect(bobS1).toEqual(secret);
      await expectDecryptionFailed(openGroupPrivateKey(bobS1, sealed2, { groupId: GROUP, generation: 2 }));
      await expectDecryptionFailed(unwrapKeyUnderKey(bobS1, chain1, chainLabel));
      await expectDecryptionFailed(unwrapKey(bob.privateKey, aliceSecret2, secretLabel(2, 'bob')));
      await expectDecryptionFailed(unwrapKey(bob.privateKey, aliceSecret1, secretLabel(1, 'alice')));
    });

    it('keeps the group secret apart from the sealed key: the secret is not the AES key itself', async () => {
      // Prepare: the seal's AES key is HKDF(secret), so AES-GCM under the raw secret must not open it.
      const rawKey = await crypto.subtle.importKey('raw', secret as Uint8Array<ArrayBuffer>, 'AES-GCM', false, ['decrypt']);
      const bytes = fromBase64Url(sealed);

      // Act
      const params = { name: 'AES-GCM', iv: bytes.slice(1, 13), additionalData: spelledAad(GROUP, 1) };
      const attempt = crypto.subtle.decrypt(params, rawKey, bytes.slice(13));

      // Assess
      await expect(attempt).rejects.toThrow();
    });
  });
});

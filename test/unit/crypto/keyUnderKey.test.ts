import { hkdfSync } from 'node:crypto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { fromBase64Url, toBase64Url } from '../../../shared/core/crypto/base64url.js';
import { generateDataKey } from '../../../shared/core/crypto/dataKey.js';
import { unwrapKeyUnderKey, wrapKeyUnderKey, type KeyUnderKeyLabel } from '../../../shared/core/crypto/keyUnderKey.js';
import { decryptBytes, encryptBytes } from '../../../shared/core/crypto/streamBytes.js';
import { expectDecryptionFailed, expectValidationFailed } from './support.js';

const FOLDER = 'AAECAwQFBgcICQoLDA0ODw';
const CHILD = 'EBESExQVFhcYGRobHB0eHw';
const OTHER = 'ICEiIyQlJicoKSorLC0uLw';

const childLabel: KeyUnderKeyLabel = { kind: 'folder-child', resourceId: CHILD, generation: 3, parentId: FOLDER, parentGeneration: 7 };
const chainLabel: KeyUnderKeyLabel = { kind: 'key-chain', resourceId: FOLDER, generation: 1, parentId: FOLDER, parentGeneration: 2 };

const BASE64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

const parentKey = generateDataKey();
const childKey = generateDataKey();

/** The AAD as docs/envelope-format.md spells it, built independently of the implementation. */
function spelledAad(label: KeyUnderKeyLabel) {
  const id = (s: string) => {
    const b = Buffer.from(s, 'utf8');
    const len = Buffer.alloc(2);
    len.writeUInt16BE(b.length);
    return Buffer.concat([len, b]);
  };
  const u64 = (n: number) => {
    const b = Buffer.alloc(8);
    b.writeBigUInt64BE(BigInt(n));
    return b;
  };
  return Buffer.concat([
    Buffer.from('coffer/v1/key-under-key\0'),
    id(label.kind),
    id(label.resourceId),
    u64(label.generation),
    id(label.parentId),
    u64(label.parentGeneration),
  ]);
}

describe('wrapKeyUnderKey', () => {
  it('round-trips through unwrapKeyUnderKey with the same key and label', async () => {
    // Act
    const wrapped = await wrapKeyUnderKey(parentKey, childKey, childLabel);
    const unwrapped = await unwrapKeyUnderKey(parentKey, wrapped, childLabel);

    // Assess
    expect(wrapped).toMatch(/^[A-Za-z0-9_-]{82}$/);
    expect(fromBase64Url(wrapped)).toHaveLength(61);
    expect(unwrapped).toEqual(childKey);
  });

  it('writes 0x01 || nonce || ciphertext || tag under HKDF(parent, "coffer/v1/key-under-key") with the documented AAD', async () => {
    // Prepare: derive the key independently and spell the AAD by hand.
    const label: KeyUnderKeyLabel = { ...childLabel, generation: 2 ** 53 - 1, parentGeneration: 0x1_0000_0001 };
    const bytes = fromBase64Url(await wrapKeyUnderKey(parentKey, childKey, label));
    const key = await crypto.subtle.importKey(
      'raw',
      new Uint8Array(hkdfSync('sha256', parentKey, new Uint8Array(0), 'coffer/v1/key-under-key', 32)),
      'AES-GCM',
      false,
      ['decrypt'],
    );

    // Act
    const plain = await crypto.subtle.decrypt(
      { name: 'AES-GCM', iv: bytes.slice(1, 13), additionalData: spelledAad(label) },
      key,
      bytes.slice(13),
    );

    // Assess
    expect(bytes[0]).toBe(0x01);
    expect(new Uint8Array(plain)).toEqual(childKey);
  });

  it('uses a fresh nonce each time', async () => {
    // Act
    const [a, b] = await Promise.all([wrapKeyUnderKey(parentKey, childKey, childLabel), wrapKeyUnderKey(parentKey, childKey, childLabel)]);

    // Assess
    expect(fromBase64Url(a).subarray(1, 13)).not.toEqual(fromBase64Url(b).subarray(1, 13));
  });

  it('accepts ids of exactly 256 bytes and generation 0', async () => {
    // Prepare: 128 two-byte characters.
    const label: KeyUnderKeyLabel = { ...childLabel, resourceId: 'é'.repeat(128), generation: 0, parentGeneration: 0 };

    // Act
    const wrapped = await wrapKeyUnderKey(parentKey, childKey, label);

    // Assess
    expect(await unwrapKeyUnderKey(parentKey, wrapped, label)).toEqual(childKey);
  });

  it.each<[string, unknown, unknown, RegExp]>([
    ['a parent key of 31 bytes', new Uint8Array(31), childKey, /parent key must be exactly 32 bytes/],
    ['a child key of 33 bytes', parentKey, new Uint8Array(33), /child key must be exactly 32 bytes/],
    ['a parent key that is not bytes', 'key', childKey, /parent key must be a Uint8Array/],
    ['a child key that is not bytes', parentKey, [...childKey], /child key must be a Uint8Array/],
  ])('rejects %s', async (_name, parent, child, message) => {
    await expectValidationFailed(wrapKeyUnderKey(parent as Uint8Array, child as Uint8Array, childLabel), message);
  });
});

describe('key-under-key labels', () => {
  const tooLong = 'a'.repeat(257);
  it.each<[string, Partial<Record<keyof KeyUnderKeyLabel, unknown>>, RegExp]>([
    ['an unknown kind', { kind: 'folder' }, /kind must be one of folder-child, key-chain, group-chain/],
    ['a missing kind', { kind: undefined }, /kind must be one of/],
    ['an empty resourceId', { resourceId: '' }, /resourceId must be a non-empty string/],
    ['a resourceId that is not a string', { resourceId: 42 }, /resourceId must be a non-empty string/],
    ['a \\0 in the resourceId', { resourceId: `${CHILD}\0x` }, /resourceId must not contain \\0/],
    ['a resourceId over 256 bytes', { resourceId: tooLong }, /resourceId must be at most 256 bytes/],
    ['a resourceId with a lone surrogate', { resourceId: 'a\uD800' }, /lone surrogate/],
    ['an empty parentId', { parentId: '' }, /parentId must be a non-empty string/],
    ['a \\0 in the parentId', { parentId: `${FOLDER}\0` }, /parentId must not contain \\0/],
    ['a parentId over 256 bytes', { parentId: 'é'.repeat(129) }, /parentId must be at most 256 bytes/],
    ['a negative generation', { generation: -1 }, /generation must be a non-negative integer/],
    ['a fractional generation', { generation: 1.5 }, /generation must be a non-negative integer/],
    ['a generation beyond 2^53 - 1', { generation: 2 ** 53 }, /generation must be a non-negative integer/],
    ['a NaN generation', { generation: Number.NaN }, /generation must be a non-negative integer/],
    ['a generation given as a string', { generation: '3' }, /generation must be a non-negative integer/],
    ['a negative parentGeneration', { parentGeneration: -1 }, /parentGeneration must be a non-negative integer/],
    ['an infinite parentGeneration', { parentGeneration: Infinity }, /parentGeneration must be a non-negative integer/],
    ['a folder-child that is its own parent', { parentId: CHILD }, /parentId to differ from resourceId/],
  ])('rejects %s on wrap and unwrap', async (_name, change, message) => {
    // Prepare
    const label = { ...childLabel, ...change } as KeyUnderKeyLabel;
    const wrapped = await wrapKeyUnderKey(parentKey, childKey, childLabel);

    // Act / Assess
    await expectValidationFailed(wrapKeyUnderKey(parentKey, childKey, label), message);
    await expectValidationFailed(unwrapKeyUnderKey(parentKey, wrapped, label), message);
  });

  it.each<[string, Partial<KeyUnderKeyLabel>, RegExp]>([
    ['a key-chain across two folders', { resourceId: OTHER }, /parentId equal to resourceId/],
    ['a key-chain from a newer to an older generation', { generation: 3, parentGeneration: 2 }, /generation < parentGeneration/],
    ['a key-chain within one generation', { generation: 2, parentGeneration: 2 }, /generation < parentGeneration/],
    ['a group-chain across two groups', { kind: 'group-chain', parentId: OTHER }, /parentId equal to resourceId/],
    [
      'a group-chain from a newer to an older generation',
      { kind: 'group-chain', generation: 5, parentGeneration: 4 },
      /generation < parentGeneration/,
    ],
  ])('rejects %s', async (_name, change, message) => {
    await expectValidationFailed(wrapKeyUnderKey(parentKey, childKey, { ...chainLabel, ...change }), message);
  });

  it('rejects a label that is not an object', async () => {
    await expectValidationFailed(wrapKeyUnderKey(parentKey, childKey, null as unknown as KeyUnderKeyLabel), /key label must be an object/);
  });
});

describe('unwrapKeyUnderKey', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it.each<[string, Partial<KeyUnderKeyLabel>]>([
    ['resourceId (another child)', { resourceId: OTHER }],
    ['generation (another child generation)', { generation: 4 }],
    ['parentId (another folder)', { parentId: OTHER }],
    ['parentGeneration (another folder generation)', { parentGeneration: 8 }],
  ])('rejects a wrap moved to another %s', async (_name, change) => {
    // Prepare
    const wrapped = await wrapKeyUnderKey(parentKey, childKey, childLabel);

    // Act / Assess
    await expectDecryptionFailed(unwrapKeyUnderKey(parentKey, wrapped, { ...childLabel, ...change }));
  });

  it('rejects a key-chain link opened as a group-chain link (kind is bound)', async () => {
    // Prepare
    const wrapped = await wrapKeyUnderKey(parentKey, childKey, chainLabel);

    // Act / Assess
    expect(await unwrapKeyUnderKey(parentKey, wrapped, chainLabel)).toEqual(childKey);
    await expectDecryptionFailed(unwrapKeyUnderKey(parentKey, wrapped, { ...chainLabel, kind: 'group-chain' }));
  });

  it('rejects the wrong parent key, including the child key itself', async () => {
    // Prepare
    const wrapped = await wrapKeyUnderKey(parentKey, childKey, childLabel);

    // Act / Assess
    await expectDecryptionFailed(unwrapKeyUnderKey(generateDataKey(), wrapped, childLabel));
    await expectDecryptionFailed(unwrapKeyUnderKey(childKey, wrapped, childLabel));
  });

  it('rejects every single-bit change at every byte position', async () => {
    // Prepare
    const bytes = fromBase64Url(await wrapKeyUnderKey(parentKey, childKey, childLabel));
    const attempts: Promise<void>[] = [];

    // Act: all 61 bytes x 8 bits.
    for (let index = 0; index < bytes.length; index++) {
      for (let bit = 0; bit < 8; bit++) {
        const tampered = bytes.slice();
        tampered[index]! ^= 1 << bit;
        attempts.push(expectDecryptionFailed(unwrapKeyUnderKey(parentKey, toBase64Url(tampered), childLabel)));
      }
    }

    // Assess
    expect(attempts).toHaveLength(61 * 8);
    await Promise.all(attempts);
  });

  it.each([
    ['00', 0x00],
    ['02', 0x02],
    ['ff', 0xff],
  ])('rejects version byte 0x%s before any crypto', async (_hex, version) => {
    // Prepare: an otherwise intact wrap with another version byte; watch the real WebCrypto.
    const bytes = fromBase64Url(await wrapKeyUnderKey(parentKey, childKey, childLabel));
    bytes[0] = version;
    const importKey = vi.spyOn(crypto.subtle, 'importKey');
    const decrypt = vi.spyOn(crypto.subtle, 'decrypt');

    // Act
    await expectDecryptionFailed(unwrapKeyUnderKey(parentKey, toBase64Url(bytes), childLabel));

    // Assess
    expect(importKey).not.toHaveBeenCalled();
    expect(decrypt).not.toHaveBeenCalled();
  });

  it.each<[string, (bytes: Uint8Array, text: string) => string]>([
    ['truncated by one byte', (b) => toBase64Url(b.subarray(0, 60))],
    ['truncated to the header', (b) => toBase64Url(b.subarray(0, 13))],
    ['truncated by one character', (_b, t) => t.slice(0, -1)],
    ['extended by one byte', (b) => toBase64Url(Uint8Array.of(...b, 0))],
    ['extended by one character', (_b, t) => `${t}A`],
    ['doubled', (_b, t) => t + t],
    ['empty', () => ''],
  ])('rejects a wrap %s before any crypto', async (_name, mangle) => {
    // Prepare
    const text = await wrapKeyUnderKey(parentKey, childKey, childLabel);
    const decrypt = vi.spyOn(crypto.subtle, 'decrypt');

    // Act
    await expectDecryptionFailed(unwrapKeyUnderKey(parentKey, mangle(fromBase64Url(text), text), childLabel));

    // Assess
    expect(decrypt).not.toHaveBeenCalled();
  });

  it.each<[string, (text: string) => string]>([
    ['with padding', (t) => `${t.slice(0, -2)}==`],
    ['in the standard alphabet', (t) => `+/${t.slice(2)}`],
    ['with whitespace', (t) => ` ${t.slice(1)}`],
    ['with a non-ASCII character', (t) => `é${t.slice(1)}`],
    // 82 = 4*20 + 2 characters: the last one (A, Q, g or w) carries 4 unused bits, which must be zero.
    ['with non-zero trailing bits', (t) => t.slice(0, -1) + BASE64URL.charAt(BASE64URL.indexOf(t.at(-1)!) + 1)],
  ])('rejects base64url %s before any crypto', async (_name, mangle) => {
    // Prepare
    const mangled = mangle(await wrapKeyUnderKey(parentKey, childKey, childLabel));
    const decrypt = vi.spyOn(crypto.subtle, 'decrypt');

    // Act
    await expectDecryptionFailed(unwrapKeyUnderKey(parentKey, mangled, childLabel));

    // Assess
    expect(mangled).toHaveLength(82);
    expect(decrypt).not.toHaveBeenCalled();
  });

  it('rejects a wrapped key that is not a string', async () => {
    const bytes = fromBase64Url(await wrapKeyUnderKey(parentKey, childKey, childLabel));
    await expectValidationFailed(unwrapKeyUnderKey(parentKey, bytes as unknown as string, childLabel), /base64url string/);
  });

  it('rejects a parent key that is not 32 bytes', async () => {
    const wrapped = await wrapKeyUnderKey(parentKey, childKey, childLabel);
    await expectValidationFailed(unwrapKeyUnderKey(new Uint8Array(16), wrapped, childLabel), /exactly 32 bytes/);
  });
});

describe('a folder tree: A > B > C > document D', () => {
  const ids = { a: 'folderA-AAAAAAAAAAAAAA', b: 'folderB-BBBBBBBBBBBBBB', c: 'folderC-CCCCCCCCCCCCCC', d: 'doc-DDDDDDDDDDDDDDDDDD' };
  const gen = { a: 1, b: 2, c: 1, d: 4 };
  const keys = { a: generateDataKey(), b: generateDataKey(), c: generateDataKey(), d: generateDataKey() };
  const step = (child: 'b' | 'c' | 'd', parent: 'a' | 'b' | 'c'): KeyUnderKeyLabel => ({
    kind: 'folder-child',
    resourceId: ids[child],
    generation: gen[child],
    parentId: ids[parent],
    parentGeneration: gen[parent],
  });
  const labels = { b: step('b', 'a'), c: step('c', 'b'), d: step('d', 'c') };

  async function buildTree() {
    return {
      b: await wrapKeyUnderKey(keys.a, keys.b, labels.b),
      c: await wrapKeyUnderKey(keys.b, keys.c, labels.c),
      d: await wrapKeyUnderKey(keys.c, keys.d, labels.d),
    };
  }

  it('lets a holder of A walk down to the document and decrypt it', async () => {
    // Prepare
    const wraps = await buildTree();
    const plaintext = new TextEncoder().encode('the quarterly numbers');
    const context = { documentId: ids.d, version: 1 };
    const ciphertext = await encryptBytes(keys.d, context, plaintext);

    // Act: the key path, in order, starting from A's key only.
    const b = await unwrapKeyUnderKey(keys.a, wraps.b, labels.b);
    const c = await unwrapKeyUnderKey(b, wraps.c, labels.c);
    const d = await unwrapKeyUnderKey(c, wraps.d, labels.d);

    // Assess
    expect([b, c, d]).toEqual([keys.b, keys.c, keys.d]);
    expect(await decryptBytes(d, context, ciphertext)).toEqual(plaintext);
  });

  it('lets a holder of C open the document but nothing above it', async () => {
    // Prepare
    const wraps = await buildTree();

    // Act / Assess
    expect(await unwrapKeyUnderKey(keys.c, wraps.d, labels.d)).toEqual(keys.d);
    await expectDecryptionFailed(unwrapKeyUnderKey(keys.c, wraps.c, labels.c));
    await expectDecryptionFailed(unwrapKeyUnderKey(keys.c, wraps.b, labels.b));
  });

  it.each<[string, 'a' | 'b' | 'c' | 'd', 'b' | 'c' | 'd']>([
    ['A skips B to open C', 'a', 'c'],
    ['A skips B and C to open D', 'a', 'd'],
    ['B skips C to open D', 'b', 'd'],
    ['C climbs to B', 'c', 'b'],
    ['D climbs to C', 'd', 'c'],
  ])('refuses a step out of order: %s', async (_name, holder, target) => {
    // Prepare
    const wraps = await buildTree();

    // Act / Assess
    await expectDecryptionFailed(unwrapKeyUnderKey(keys[holder], wraps[target], labels[target]));
  });

  it('refuses a step read with another step\'s label', async () => {
    // Prepare
    const wraps = await buildTree();

    // Act / Assess: the right parent key, but C's wrap presented as B's child step and vice versa.
    await expectDecryptionFailed(unwrapKeyUnderKey(keys.b, wraps.c, { ...labels.c, resourceId: ids.d }));
    await expectDecryptionFailed(unwrapKeyUnderKey(keys.a, wraps.b, { ...labels.b, parentId: ids.c }));
  });
});

describe('a folder key chain', () => {
  const folder = 'folderF-FFFFFFFFFFFFFF';
  const child = 'doc-XXXXXXXXXXXXXXXXXX';
  const k1 = generateDataKey();
  const k2 = generateDataKey();
  const k3 = generateDataKey();
  const kChild = generateDataKey();
  const link = (generation: number, parentGeneration: number): KeyUnderKeyLabel => ({
    kind: 'key-chain',
    resourceId: folder,
    generation,
    parentId: folder,
    parentGeneration,
  });
  const childUnderGen1: KeyUnderKeyLabel = {
    kind: 'folder-child',
    resourceId: child,
    generation: 1,
    parentId: folder,
    parentGeneration: 1,
  };

  it('lets a holder of generation 2 reach children still wrapped under generation 1', async () => {
    // Prepare
    const chain1 = await wrapKeyUnderKey(k2, k1, link(1, 2));
    const wrappedChild = await wrapKeyUnderKey(k1, kChild, childUnderGen1);

    // Act
    const old = await unwrapKeyUnderKey(k2, chain1, link(1, 2));
    const reached = await unwrapKeyUnderKey(old, wrappedChild, childUnderGen1);

    // Assess
    expect(old).toEqual(k1);
    expect(reached).toEqual(kChild);
  });

  it('walks several links: generation 3 reaches generation 1', async () => {
    // Prepare
    const chain = { 1: await wrapKeyUnderKey(k2, k1, link(1, 2)), 2: await wrapKeyUnderKey(k3, k2, link(2, 3)) };

    // Act
    const gen2 = await unwrapKeyUnderKey(k3, chain[2], link(2, 3));
    const gen1 = await unwrapKeyUnderKey(gen2, chain[1], link(1, 2));

    // Assess
    expect(gen1).toEqual(k1);
    await expectDecryptionFailed(unwrapKeyUnderKey(k3, chain[1], link(1, 2)));
  });

  it('gives a holder of only generation 1 no way to generation 2', async () => {
    // Prepare
    const chain1 = await wrapKeyUnderKey(k2, k1, link(1, 2));

    // Act / Assess: the link opens only under k2, and only yields k1.
    await expectDecryptionFailed(unwrapKeyUnderKey(k1, chain1, link(1, 2)));
    await expectValidationFailed(unwrapKeyUnderKey(k1, chain1, link(2, 1)), /generation < parentGeneration/);
    await expectDecryptionFailed(unwrapKeyUnderKey(k1, chain1, { ...link(1, 2), kind: 'group-chain' }));
    expect(await unwrapKeyUnderKey(k2, chain1, link(1, 2))).toEqual(k1);
  });

  it('refuses a folder chain link presented for another folder', async () => {
    const chain1 = await wrapKeyUnderKey(k2, k1, link(1, 2));
    await expectDecryptionFailed(unwrapKeyUnderKey(k2, chain1, { ...link(1, 2), resourceId: OTHER, parentId: OTHER }));
  });
});

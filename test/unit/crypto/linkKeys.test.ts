import { hkdfSync } from 'node:crypto';
import { argon2id } from 'hash-wasm';
import { describe, expect, it, vi } from 'vitest';
import { argon2idBytes } from '../../../shared/core/crypto/argon2id.js';
import { fromBase64Url, toBase64Url } from '../../../shared/core/crypto/base64url.js';
import { generateDataKey } from '../../../shared/core/crypto/dataKey.js';
import { TEST_KDF, type KdfCost } from '../../../shared/core/crypto/kdfParams.js';
import { unwrapKeyUnderKey, wrapKeyUnderKey } from '../../../shared/core/crypto/keyUnderKey.js';
import {
  deriveLinkKeys,
  formatLinkUrl,
  newLinkSecret,
  parseLinkUrl,
  unwrapLinkKey,
  wrapKeyForLink,
} from '../../../shared/core/crypto/linkKeys.js';
import * as index from '../../../shared/core/crypto/index.js';
import { InvalidLinkUrl, ValidationFailed } from '../../../shared/core/errors/index.js';
import { expectDecryptionFailed, expectValidationFailed } from './support.js';

vi.mock('../../../shared/core/crypto/argon2id.js', async (importOriginal) => {
  const actual = await importOriginal<typeof import('../../../shared/core/crypto/argon2id.js')>();
  return { argon2idBytes: vi.fn(actual.argon2idBytes) };
});

const NODE = { nodeId: 'AAECAwQFBgcICQoLDA0ODw', keyGeneration: 3 };
/** S = 0x00..0x1f, and a fixed password: the known-answer inputs. */
const FIXED_SECRET = toBase64Url(Uint8Array.from({ length: 32 }, (_, i) => i));
const FIXED_PASSWORD = 'correct horse ✓';
const TOKEN = toBase64Url(Uint8Array.from({ length: 32 }, (_, i) => 255 - i));

const nodeKey = generateDataKey();

/** The derivations as docs/links.md spells them, built from node:crypto and hash-wasm, not from linkKeys.ts. */
async function spelled(secret: string, password?: { password: string; kdf: KdfCost }) {
  const s = Buffer.from(secret, 'base64url');
  if (!password) {
    return { linkKey: new Uint8Array(hkdfSync('sha256', s, Buffer.alloc(0), Buffer.from('coffer/v1/link-key\0nopw'), 32)) };
  }
  const salt = new Uint8Array(hkdfSync('sha256', s, Buffer.alloc(0), Buffer.from('coffer/v1/link-password-salt'), 16));
  const pwKey = await argon2id({
    password: Buffer.from(password.password.normalize('NFC'), 'utf8'),
    salt,
    memorySize: password.kdf.memoryKiB,
    iterations: password.kdf.iterations,
    parallelism: password.kdf.parallelism,
    hashLength: 32,
    outputType: 'binary',
  });
  const linkKey = new Uint8Array(hkdfSync('sha256', Buffer.concat([s, pwKey]), Buffer.alloc(0), Buffer.from('coffer/v1/link-key\0pw'), 32));
  const proof = new Uint8Array(hkdfSync('sha256', pwKey, Buffer.alloc(0), Buffer.from('coffer/v1/link-password-proof'), 32));
  return { linkKey, proof: toBase64Url(proof), pwKey: new Uint8Array(pwKey) };
}

describe('newLinkSecret', () => {
  it('gives 32 fresh random bytes as 43 base64url characters', () => {
    // Act
    const [a, b] = [newLinkSecret(), newLinkSecret()];

    // Assess
    expect(a).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(fromBase64Url(a)).toHaveLength(32);
    expect(a).not.toBe(b);
  });
});

describe('deriveLinkKeys', () => {
  it('derives the documented link key without a password, and no proof', async () => {
    // Act
    const keys = await deriveLinkKeys(FIXED_SECRET);

    // Assess
    expect(keys.proof).toBeUndefined();
    expect(keys.linkKey).toEqual((await spelled(FIXED_SECRET)).linkKey);
  });

  it('derives the documented link key and proof with a password (salt from S, Argon2id, HKDF)', async () => {
    // Prepare
    const password = { password: FIXED_PASSWORD, kdf: TEST_KDF };

    // Act
    const keys = await deriveLinkKeys(FIXED_SECRET, password);

    // Assess
    const expected = await spelled(FIXED_SECRET, password);
    expect(keys.linkKey).toEqual(expected.linkKey);
    expect(keys.proof).toBe(expected.proof);
  });

  it('matches the pinned known-answer vector (S = 00..1f, TEST_KDF)', async () => {
    // Act
    const plain = await deriveLinkKeys(FIXED_SECRET);
    const withPassword = await deriveLinkKeys(FIXED_SECRET, { password: FIXED_PASSWORD, kdf: TEST_KDF });

    // Assess: computed once and pinned; a change here is a format break.
    expect(toBase64Url(plain.linkKey)).toBe(PINNED.noPassword.linkKey);
    expect(toBase64Url(withPassword.linkKey)).toBe(PINNED.password.linkKey);
    expect(withPassword.proof).toBe(PINNED.password.proof);
  });

  it('is deterministic for fixed inputs', async () => {
    // Act
    const [a, b] = await Promise.all([
      deriveLinkKeys(FIXED_SECRET, { password: FIXED_PASSWORD, kdf: TEST_KDF }),
      deriveLinkKeys(FIXED_SECRET, { password: FIXED_PASSWORD, kdf: TEST_KDF }),
    ]);

    // Assess
    expect(a).toEqual(b);
  });

  it('normalises the password to NFC (composed and decomposed é derive the same keys)', async () => {
    // Act
    const composed = await deriveLinkKeys(FIXED_SECRET, { password: 'caf\u00e9', kdf: TEST_KDF });
    const decomposed = await deriveLinkKeys(FIXED_SECRET, { password: 'cafe\u0301', kdf: TEST_KDF });

    // Assess
    expect(decomposed).toEqual(composed);
  });

  it('keeps the proof independent of the link key: different bytes, and it unwraps nothing', async () => {
    // Prepare
    const { linkKey, proof } = await deriveLinkKeys(FIXED_SECRET, { password: FIXED_PASSWORD, kdf: TEST_KDF });
    const wrapped = await wrapKeyForLink(linkKey, nodeKey, NODE);
    const proofBytes = fromBase64Url(proof!);

    // Act + Assess
    expect(proofBytes).toHaveLength(32);
    expect(proofBytes).not.toEqual(linkKey);
    await expectDecryptionFailed(unwrapLinkKey(proofBytes, wrapped, NODE));
    expect(await unwrapLinkKey(linkKey, wrapped, NODE)).toEqual(nodeKey);
  });

  it('makes the proof depend on the secret and on the password', async () => {
    // Act
    const base = await deriveLinkKeys(FIXED_SECRET, { password: FIXED_PASSWORD, kdf: TEST_KDF });
    const otherSecret = await deriveLinkKeys(newLinkSecret(), { password: FIXED_PASSWORD, kdf: TEST_KDF });
    const otherPassword = await deriveLinkKeys(FIXED_SECRET, { password: `${FIXED_PASSWORD}!`, kdf: TEST_KDF });
    const otherCost = await deriveLinkKeys(FIXED_SECRET, { password: FIXED_PASSWORD, kdf: { ...TEST_KDF, iterations: 2 } });

    // Assess
    const proofs = new Set([base.proof, otherSecret.proof, otherPassword.proof, otherCost.proof]);
    expect(proofs.size).toBe(4);
    const keys = new Set([base, otherSecret, otherPassword, otherCost].map((k) => toBase64Url(k.linkKey)));
    expect(keys.size).toBe(4);
  });

  it('gives a password link a different key than the same secret without a password', async () => {
    // Act
    const plain = await deriveLinkKeys(FIXED_SECRET);
    const withPassword = await deriveLinkKeys(FIXED_SECRET, { password: FIXED_PASSWORD, kdf: TEST_KDF });

    // Assess
    expect(withPassword.linkKey).not.toEqual(plain.linkKey);
  });

  it.each<[string, unknown]>([
    ['42 characters', FIXED_SECRET.slice(0, 42)],
    ['44 characters', `${FIXED_SECRET}A`],
    ['a character outside base64url', `${FIXED_SECRET.slice(0, 42)}+`],
    ['non-zero trailing bits', `${FIXED_SECRET.slice(0, 42)}B`],
    ['padding', `${FIXED_SECRET.slice(0, 42)}=`],
    ['an empty string', ''],
    ['a number', 42],
  ])('refuses a secret of %s with DecryptionFailed, before any crypto', async (_name, secret) => {
    // Prepare
    const argon = vi.mocked(argon2idBytes);
    argon.mockClear();
    const digest = vi.spyOn(crypto.subtle, 'importKey');
    try {
      // Act + Assess
      await expectDecryptionFailed(deriveLinkKeys(secret as string, { password: 'pw', kdf: TEST_KDF }));
      await expectDecryptionFailed(deriveLinkKeys(secret as string));
      expect(argon).not.toHaveBeenCalled();
      expect(digest).not.toHaveBeenCalled();
    } finally {
      digest.mockRestore();
    }
  });

  it.each<[string, unknown, RegExp]>([
    ['memory above MAX_KDF', { ...TEST_KDF, memoryKiB: 1_048_577 }, /memoryKiB must be an integer from 1024 to 1048576/],
    ['iterations above MAX_KDF', { ...TEST_KDF, iterations: 65 }, /iterations must be an integer from 1 to 64/],
    ['parallelism above MAX_KDF', { ...TEST_KDF, parallelism: 17 }, /parallelism must be an integer from 1 to 16/],
    ['another algorithm', { ...TEST_KDF, algorithm: 'scrypt' }, /algorithm must be "argon2id"/],
    ['a fractional cost', { ...TEST_KDF, iterations: 1.5 }, /iterations must be an integer/],
    ['a string cost', { ...TEST_KDF, memoryKiB: '1024' }, /memoryKiB must be an integer/],
    ['no kdf', undefined, /KDF parameters must be an object/],
  ])('refuses a KDF cost with %s (ValidationFailed, before any work)', async (_name, kdf, message) => {
    // Prepare
    const argon = vi.mocked(argon2idBytes);
    argon.mockClear();
    try {
      // Act + Assess
      await expectValidationFailed(deriveLinkKeys(FIXED_SECRET, { password: 'pw', kdf: kdf as KdfCost }), message);
      expect(argon).not.toHaveBeenCalled();
    } finally {
      argon.mockClear();
    }
  });

  it.each<[string, unknown, RegExp]>([
    ['an empty password', '', /password must be 1 to 1024 characters/],
    ['a password over 1024 characters', 'x'.repeat(1025), /password must be 1 to 1024 characters/],
    ['a password that is not a string', 1234, /password must be a string/],
  ])('refuses %s (ValidationFailed)', async (_name, password, message) => {
    await expectValidationFailed(deriveLinkKeys(FIXED_SECRET, { password: password as string, kdf: TEST_KDF }), message);
  });

  it('refuses a password option that is not an object', async () => {
    await expectValidationFailed(deriveLinkKeys(FIXED_SECRET, 'pw' as never), /must be \{ password, kdf \}/);
  });
});

describe('wrapKeyForLink / unwrapLinkKey', () => {
  it('round-trips without a password', async () => {
    // Prepare
    const secret = newLinkSecret();
    const { linkKey } = await deriveLinkKeys(secret);

    // Act
    const wrapped = await wrapKeyForLink(linkKey, nodeKey, NODE);
    const opened = await unwrapLinkKey((await deriveLinkKeys(secret)).linkKey, wrapped, NODE);

    // Assess
    expect(wrapped).toMatch(/^[A-Za-z0-9_-]{82}$/);
    expect(opened).toEqual(nodeKey);
  });

  it('round-trips with a password', async () => {
    // Prepare
    const secret = newLinkSecret();
    const { linkKey } = await deriveLinkKeys(secret, { password: 'hunter2', kdf: TEST_KDF });

    // Act
    const wrapped = await wrapKeyForLink(linkKey, nodeKey, NODE);
    const { linkKey: again } = await deriveLinkKeys(secret, { password: 'hunter2', kdf: TEST_KDF });

    // Assess
    expect(await unwrapLinkKey(again, wrapped, NODE)).toEqual(nodeKey);
  });

  it('is the key-under-key format with kind link, parentId "link", parentGeneration 0', async () => {
    // Prepare
    const { linkKey } = await deriveLinkKeys(FIXED_SECRET);
    const label = { kind: 'link', resourceId: NODE.nodeId, generation: NODE.keyGeneration, parentId: 'link', parentGeneration: 0 } as const;

    // Act
    const wrapped = await wrapKeyForLink(linkKey, nodeKey, NODE);
    const direct = await wrapKeyUnderKey(linkKey, nodeKey, label);

    // Assess
    expect(await unwrapKeyUnderKey(linkKey, wrapped, label)).toEqual(nodeKey);
    expect(await unwrapLinkKey(linkKey, direct, NODE)).toEqual(nodeKey);
  });

  it('fails with DecryptionFailed for a wrong secret', async () => {
    // Prepare
    const { linkKey } = await deriveLinkKeys(newLinkSecret());
    const wrapped = await wrapKeyForLink(linkKey, nodeKey, NODE);

    // Act + Assess
    await expectDecryptionFailed(unwrapLinkKey((await deriveLinkKeys(newLinkSecret())).linkKey, wrapped, NODE));
  });

  it('fails with DecryptionFailed for a wrong password, and for no password on a password link', async () => {
    // Prepare
    const secret = newLinkSecret();
    const { linkKey } = await deriveLinkKeys(secret, { password: 'right', kdf: TEST_KDF });
    const wrapped = await wrapKeyForLink(linkKey, nodeKey, NODE);

    // Act + Assess
    await expectDecryptionFailed(unwrapLinkKey((await deriveLinkKeys(secret, { password: 'wrong', kdf: TEST_KDF })).linkKey, wrapped, NODE));
    await expectDecryptionFailed(unwrapLinkKey((await deriveLinkKeys(secret)).linkKey, wrapped, NODE));
  });

  it.each<[string, { nodeId: string; keyGeneration: number }]>([
    ['another node', { ...NODE, nodeId: 'EBESExQVFhcYGRobHB0eHw' }],
    ['another key generation', { ...NODE, keyGeneration: 4 }],
  ])('fails with DecryptionFailed for a wrong label: %s', async (_name, other) => {
    // Prepare
    const { linkKey } = await deriveLinkKeys(FIXED_SECRET);
    const wrapped = await wrapKeyForLink(linkKey, nodeKey, NODE);

    // Act + Assess
    await expectDecryptionFailed(unwrapLinkKey(linkKey, wrapped, other));
  });

  it('does not open as a folder-child wrap, nor a folder-child wrap as a link', async () => {
    // Prepare
    const { linkKey } = await deriveLinkKeys(FIXED_SECRET);
    const childLabel = { kind: 'folder-child', resourceId: NODE.nodeId, generation: NODE.keyGeneration, parentId: 'link', parentGeneration: 0 } as const;
    const asLink = await wrapKeyForLink(linkKey, nodeKey, NODE);
    const asChild = await wrapKeyUnderKey(linkKey, nodeKey, childLabel);

    // Act + Assess
    await expectDecryptionFailed(unwrapKeyUnderKey(linkKey, asLink, childLabel));
    await expectDecryptionFailed(unwrapLinkKey(linkKey, asChild, NODE));
  });

  it('fails with DecryptionFailed when any byte of the wrap is changed (every position)', async () => {
    // Prepare
    const { linkKey } = await deriveLinkKeys(FIXED_SECRET);
    const bytes = fromBase64Url(await wrapKeyForLink(linkKey, nodeKey, NODE));
    expect(bytes).toHaveLength(61);

    // Act + Assess
    for (let i = 0; i < bytes.length; i++) {
      const tampered = bytes.slice();
      tampered[i]! ^= 0x80;
      await expectDecryptionFailed(unwrapLinkKey(linkKey, toBase64Url(tampered), NODE));
    }
  });

  it.each<[string, unknown]>([
    ['an empty wrap', ''],
    ['a truncated wrap', 'A'.repeat(81)],
    ['a wrap one character too long', 'A'.repeat(83)],
    ['a wrap with a character outside base64url', `${'A'.repeat(81)}/`],
    ['a wrap with another version byte', toBase64Url(Uint8Array.of(2, ...new Uint8Array(60)))],
    ['a wrap that is not a string', 42],
  ])('fails with DecryptionFailed for %s, before any crypto', async (_name, wrapped) => {
    // Prepare
    const { linkKey } = await deriveLinkKeys(FIXED_SECRET);
    const importKey = vi.spyOn(crypto.subtle, 'importKey');
    try {
      // Act + Assess
      await expectDecryptionFailed(unwrapLinkKey(linkKey, wrapped as string, NODE));
      expect(importKey).not.toHaveBeenCalled();
    } finally {
      importKey.mockRestore();
    }
  });

  it.each<[string, unknown, unknown, RegExp]>([
    ['a link key of 31 bytes', new Uint8Array(31), NODE, /parent key must be exactly 32 bytes/],
    ['an empty node id', new Uint8Array(32), { ...NODE, nodeId: '' }, /resourceId must be a non-empty string/],
    ['a negative generation', new Uint8Array(32), { ...NODE, keyGeneration: -1 }, /generation/],
    ['no node', new Uint8Array(32), undefined, /must be \{ nodeId, keyGeneration \}/],
  ])('refuses %s on wrap (ValidationFailed)', async (_name, key, node, message) => {
    await expectValidationFailed(() => wrapKeyForLink(key as Uint8Array, nodeKey, node as typeof NODE), message);
  });

  it('refuses a link label of another shape in the key-under-key layer', async () => {
    // Act + Assess
    for (const bad of [{ parentId: 'other', parentGeneration: 0 }, { parentId: 'link', parentGeneration: 1 }]) {
      await expectValidationFailed(
        wrapKeyUnderKey(nodeKey, nodeKey, { kind: 'link', resourceId: NODE.nodeId, generation: 1, ...bad }),
        /link key label needs parentId 'link' and parentGeneration 0/,
      );
    }
  });
});

describe('parseLinkUrl / formatLinkUrl', () => {
  const secret = FIXED_SECRET;

  it.each([
    ['http://127.0.0.1:4566'],
    ['https://coffer.example.com'],
    ['https://api.example.com/prod'],
    ['https://host.example/l/nested'],
  ])('round-trips a link on %s', (base) => {
    // Act
    const url = formatLinkUrl(base, TOKEN, secret);

    // Assess
    expect(url).toBe(`${base}/l/${TOKEN}#${secret}`);
    expect(parseLinkUrl(url)).toEqual({ base, token: TOKEN, secret });
  });

  it('drops a trailing slash of the base and surrounding whitespace', () => {
    expect(formatLinkUrl('https://x.example/', TOKEN, secret)).toBe(`https://x.example/l/${TOKEN}#${secret}`);
    expect(parseLinkUrl(`  https://x.example/l/${TOKEN}#${secret}\n`)).toEqual({ base: 'https://x.example', token: TOKEN, secret });
  });

  it('splits at the last /l/', () => {
    expect(parseLinkUrl(`https://x.example/l/app/l/${TOKEN}#${secret}`).base).toBe('https://x.example/l/app');
  });

  it.each<[string, unknown]>([
    ['no /l/', `https://x.example/${TOKEN}#${secret}`],
    ['no secret', `https://x.example/l/${TOKEN}`],
    ['an empty secret', `https://x.example/l/${TOKEN}#`],
    ['a short secret', `https://x.example/l/${TOKEN}#${secret.slice(1)}`],
    ['a long secret', `https://x.example/l/${TOKEN}#${secret}A`],
    ['a secret with non-zero trailing bits', `https://x.example/l/${TOKEN}#${secret.slice(0, 42)}B`],
    ['a secret outside base64url', `https://x.example/l/${TOKEN}#${secret.slice(0, 42)}+`],
    ['a short token', `https://x.example/l/${TOKEN.slice(1)}#${secret}`],
    ['a token with a query', `https://x.example/l/${TOKEN}?a=1#${secret}`],
    ['a token with a path after it', `https://x.example/l/${TOKEN}/x#${secret}`],
    ['another scheme', `ftp://x.example/l/${TOKEN}#${secret}`],
    ['a javascript: URL', `javascript:alert(1)//l/${TOKEN}#${secret}`],
    ['no host', `http:///l/${TOKEN}#${secret}`],
    ['a relative base', `/api/l/${TOKEN}#${secret}`],
    ['a base with a query', `https://x.example/?q=1/l/${TOKEN}#${secret}`],
    ['an empty string', ''],
    ['not a string', 42],
  ])('refuses %s with INVALID_LINK_URL', (_name, url) => {
    // Act
    let error: unknown;
    try {
      parseLinkUrl(url as string);
    } catch (e) {
      error = e;
    }

    // Assess
    expect(error).toBeInstanceOf(InvalidLinkUrl);
    expect(error).toBeInstanceOf(ValidationFailed);
    expect(error).toMatchObject({ code: 'INVALID_LINK_URL', message: expect.stringMatching(/Coffer link|secret/) });
  });

  it('refuses to format a malformed token, secret or base', () => {
    for (const [base, token, s] of [
      ['https://x.example', 'short', secret],
      ['https://x.example', TOKEN, 'short'],
      ['x.example', TOKEN, secret],
    ] as const) {
      expect(() => formatLinkUrl(base, token, s)).toThrow(InvalidLinkUrl);
    }
  });
});

describe('the crypto front door', () => {
  it('exports the link API', () => {
    for (const name of ['newLinkSecret', 'deriveLinkKeys', 'wrapKeyForLink', 'unwrapLinkKey', 'parseLinkUrl', 'formatLinkUrl']) {
      expect(typeof (index as Record<string, unknown>)[name]).toBe('function');
    }
  });
});

/** Computed once from the implementation (and checked against `spelled` above); never regenerate. */
const PINNED = {
  noPassword: { linkKey: 'JamqK46BVOdSgchKaDsNlYDz0mYVD77njFPL23V59gM' },
  password: { linkKey: 'ey5Wqjm70L4wuquRR_O5XNTb1LPkf-RFVoNvszFonDQ', proof: 'OcghwSJEnFcMIrDovjEGOUoB37sucZ0IVu4GmJA-RCQ' },
};

import { describe, expect, it } from 'vitest';
import { fromBase64Url, toBase64Url } from '../../../shared/core/crypto/base64url.js';
import { utf8Decode, utf8Encode } from '../../../shared/core/crypto/utf8.js';
import { expectValidationFailed } from './support.js';

// RFC 4648 §10 test vectors, unpadded.
const RFC4648: Array<[string, string]> = [
  ['', ''],
  ['f', 'Zg'],
  ['fo', 'Zm8'],
  ['foo', 'Zm9v'],
  ['foob', 'Zm9vYg'],
  ['fooba', 'Zm9vYmE'],
  ['foobar', 'Zm9vYmFy'],
];

describe('toBase64Url', () => {
  it('encodes the RFC 4648 vectors without padding', () => {
    for (const [text, encoded] of RFC4648) expect(toBase64Url(new TextEncoder().encode(text))).toBe(encoded);
  });

  it('uses the URL-safe alphabet', () => {
    // Prepare: bytes whose standard base64 is "+/8=".
    const bytes = Uint8Array.of(0xfb, 0xff);

    // Act
    const encoded = toBase64Url(bytes);

    // Assess
    expect(encoded).toBe('-_8');
  });

  it('agrees with Node for random lengths 0..300', () => {
    for (let length = 0; length <= 300; length++) {
      const bytes = crypto.getRandomValues(new Uint8Array(length));
      const encoded = toBase64Url(bytes);
      expect(encoded).toBe(Buffer.from(bytes).toString('base64url'));
      expect(fromBase64Url(encoded)).toEqual(bytes);
    }
  });
});

describe('fromBase64Url', () => {
  it('decodes the RFC 4648 vectors', () => {
    for (const [text, encoded] of RFC4648) expect(new TextDecoder().decode(fromBase64Url(encoded))).toBe(text);
  });

  it.each([
    ['padding', 'Zg=='],
    ['the standard alphabet (+)', 'a+b/'],
    ['whitespace', 'Zm9v Yg'],
    ['a newline', 'Zm9v\nYg'],
    ['an impossible length (4n+1)', 'Zm9vY'],
    ['non-zero trailing bits after 1 byte', 'Zh'],
    ['non-zero trailing bits after 2 bytes', 'Zm9'],
    ['a non-ASCII character', 'Zm9vé'],
  ])('rejects %s', async (_name, text) => {
    await expectValidationFailed(() => fromBase64Url(text), /canonical unpadded base64url/);
  });

  it('rejects a non-string', async () => {
    await expectValidationFailed(() => fromBase64Url(42 as unknown as string), /base64url string/);
  });
});

describe('utf8Encode', () => {
  it('rejects a lone surrogate instead of replacing it', async () => {
    await expectValidationFailed(() => utf8Encode('name\uD800'), /lone surrogate/);
  });

  it('encodes astral characters', () => {
    expect(utf8Decode(utf8Encode('file 📄.txt'))).toBe('file 📄.txt');
  });
});

describe('utf8Decode', () => {
  it('rejects invalid UTF-8 instead of replacing it', async () => {
    await expectValidationFailed(() => utf8Decode(Uint8Array.of(0x66, 0xff)), /not valid UTF-8/);
  });
});

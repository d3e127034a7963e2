import { wordlist } from '@scure/bip39/wordlists/english.js';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { checkPassphraseStrength, generatePassphrase, uniformIndex } from '../../../shared/core/crypto/passphrase.js';
import { expectValidationFailed } from './support.js';

afterEach(() => {
  vi.restoreAllMocks();
});

describe('generatePassphrase', () => {
  it('makes 7 BIP39 words joined by "-" worth 77 bits', () => {
    // Act
    const { passphrase, entropyBits } = generatePassphrase();

    // Assess
    const words = passphrase.split('-');
    expect(words).toHaveLength(7);
    for (const word of words) expect(wordlist).toContain(word);
    expect(entropyBits).toBe(77);
    expect(entropyBits).toBeGreaterThanOrEqual(75);
  });

  it('makes longer passphrases on request', () => {
    expect(generatePassphrase(10)).toMatchObject({ entropyBits: 110 });
  });

  it('refuses fewer than 7 words', async () => {
    await expectValidationFailed(() => generatePassphrase(6), /7 to 24 words/);
  });

  it('draws different passphrases each time', () => {
    const seen = new Set(Array.from({ length: 50 }, () => generatePassphrase().passphrase));
    expect(seen.size).toBe(50);
  });

  it('passes its own strength check', async () => {
    for (let i = 0; i < 5; i++) expect((await checkPassphraseStrength(generatePassphrase().passphrase, [])).ok).toBe(true);
  });
});

describe('uniformIndex', () => {
  it('rejects a sample from the biased top of the range and draws again', () => {
    // Prepare: for n = 3, 2^32 mod 3 = 1, so 0xFFFFFFFF would be biased and must be redrawn.
    const samples = [0xffff_ffff, 5];
    const spy = vi.spyOn(crypto, 'getRandomValues').mockImplementation(<T extends ArrayBufferView | null>(array: T): T => {
      (array as unknown as Uint32Array)[0] = samples.shift()!;
      return array;
    });

    // Act
    const index = uniformIndex(3);

    // Assess
    expect(index).toBe(2);
    expect(spy).toHaveBeenCalledTimes(2);
  });

  it('covers the whole wordlist range roughly uniformly', () => {
    // Prepare
    const counts = new Array<number>(8).fill(0);

    // Act: 8000 draws into 8 buckets of 256 words.
    for (let i = 0; i < 8000; i++) counts[uniformIndex(2048) >> 8]!++;

    // Assess: each bucket expects 1000; 6 sigma is about 180.
    for (const count of counts) expect(Math.abs(count - 1000)).toBeLessThan(200);
  });
});

describe('checkPassphraseStrength', () => {
  it('rejects a common password', async () => {
    // Act
    const result = await checkPassphraseStrength('password123456', []);

    // Assess
    expect(result.ok).toBe(false);
    expect(result.entropyBits).toBeLessThan(75);
    expect(result.feedback).toMatch(/Too easy to guess/);
  });

  it('rejects a famous passphrase', async () => {
    expect((await checkPassphraseStrength('correct-horse-battery-staple', [])).ok).toBe(false);
  });

  it('rejects a passphrase built from the user\'s own details', async () => {
    // Act
    const withInputs = await checkPassphraseStrength('alice.liddell@example.org2024', ['alice', 'liddell', 'alice.liddell@example.org']);

    // Assess
    expect(withInputs.ok).toBe(false);
  });

  it('rejects a short passphrase whatever its estimate', async () => {
    // Act
    const result = await checkPassphraseStrength('x7#Qv!9z', []);

    // Assess
    expect(result.ok).toBe(false);
    expect(result.feedback).toMatch(/at least 12 characters/);
  });

  it('accepts a long random passphrase', async () => {
    // Act
    const result = await checkPassphraseStrength('violin-orbit-cactus-mercy-tunnel-velvet-harbor', []);

    // Assess
    expect(result).toMatchObject({ ok: true, feedback: 'Strong passphrase.' });
    expect(result.entropyBits).toBeGreaterThanOrEqual(75);
  });
});

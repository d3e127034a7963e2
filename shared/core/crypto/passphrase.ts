import { wordlist } from '@scure/bip39/wordlists/english.js';
import type { ZxcvbnFactory } from '@zxcvbn-ts/core';
import { ValidationFailed } from '../errors/index.js';

/** Target strength of a passphrase, in bits of guessing work. */
export const MIN_PASSPHRASE_BITS = 75;
/** Shortest accepted passphrase, in characters (after NFKC). */
export const MIN_PASSPHRASE_LENGTH = 12;
/** 7 words of the 2048-word BIP39 list: 7 x 11 = 77 bits >= 75. */
export const DEFAULT_PASSPHRASE_WORDS = 7;
const MAX_PASSPHRASE_WORDS = 24;

export type GeneratedPassphrase = { passphrase: string; entropyBits: number };
export type PassphraseStrength = { ok: boolean; entropyBits: number; feedback: string };

/**
 * A passphrase of `words` words drawn uniformly from the BIP39 English list, joined by '-'.
 * Its strength is exact: words x log2(2048) = 11 bits a word. At least 7 words (77 bits).
 */
export function generatePassphrase(words: number = DEFAULT_PASSPHRASE_WORDS): GeneratedPassphrase {
  if (!Number.isInteger(words) || words < DEFAULT_PASSPHRASE_WORDS || words > MAX_PASSPHRASE_WORDS) {
    throw new ValidationFailed(
      `A generated passphrase has ${DEFAULT_PASSPHRASE_WORDS} to ${MAX_PASSPHRASE_WORDS} words (${DEFAULT_PASSPHRASE_WORDS} give ${DEFAULT_PASSPHRASE_WORDS * 11} bits).`,
    );
  }
  const picked: string[] = [];
  for (let i = 0; i < words; i++) picked.push(wordlist[uniformIndex(wordlist.length)]!);
  return { passphrase: picked.join('-'), entropyBits: words * Math.log2(wordlist.length) };
}

/**
 * Estimates a user-chosen passphrase with zxcvbn (dictionaries, patterns, the user's own
 * inputs such as name and email). ok when it is at least 12 characters and the estimate is
 * at least 75 bits (guessesLog10 x log2(10)). Async: the dictionaries load on first use.
 */
export function checkPassphraseStrength(passphrase: string, userInputs: string[] = []): Promise<PassphraseStrength> {
  return checkStrength(passphrase, userInputs, {
    what: 'passphrase',
    minLength: MIN_PASSPHRASE_LENGTH,
    minBits: MIN_PASSPHRASE_BITS,
    advice: 'Use a generated passphrase of 7 words, or add more uncommon words.',
  });
}

/** A strength rule: the shortest length (after NFKC) and the least zxcvbn estimate, and what to say when refused. */
export interface StrengthRule {
  what: string;
  minLength: number;
  minBits: number;
  advice: string;
}

/** The zxcvbn check behind checkPassphraseStrength, for a rule of its own (link passwords). */
export async function checkStrength(secret: string, userInputs: string[], rule: StrengthRule): Promise<PassphraseStrength> {
  if (typeof secret !== 'string') throw new ValidationFailed(`The ${rule.what} must be a string.`);
  if (!Array.isArray(userInputs) || userInputs.some((input) => typeof input !== 'string')) {
    throw new ValidationFailed('userInputs must be an array of strings.');
  }
  const normalised = secret.normalize('NFKC'); // what the key derivation hashes
  const result = (await estimator()).check(normalised, userInputs.map((input) => input.normalize('NFKC')));
  const entropyBits = Math.floor(result.guessesLog10 * Math.log2(10));
  const longEnough = [...normalised].length >= rule.minLength;
  const strongEnough = entropyBits >= rule.minBits;
  let feedback: string;
  if (!longEnough) feedback = `Too short: use at least ${rule.minLength} characters. ${rule.advice}`;
  else if (!strongEnough) {
    const parts = [result.feedback.warning, ...result.feedback.suggestions].filter((part): part is string => !!part);
    feedback = `Too easy to guess (about ${entropyBits} of ${rule.minBits} bits). ${parts.length ? `${parts.join(' ')} ` : ''}${rule.advice}`;
  } else feedback = `Strong ${rule.what}.`;
  return { ok: longEnough && strongEnough, entropyBits, feedback };
}

/** A uniform integer in [0, n) from crypto.getRandomValues, by rejection sampling (no modulo bias). */
export function uniformIndex(n: number): number {
  if (!Number.isInteger(n) || n < 1 || n > 2 ** 32) throw new ValidationFailed('n must be an integer from 1 to 2^32.');
  const limit = 2 ** 32 - (2 ** 32 % n); // largest multiple of n that fits in 32 bits
  const sample = new Uint32Array(1);
  for (;;) {
    globalThis.crypto.getRandomValues(sample);
    if (sample[0]! < limit) return sample[0]! % n;
  }
}

let zxcvbn: Promise<ZxcvbnFactory> | undefined;

/**
 * Built on first use, dictionaries included: they hold ~30 MiB once parsed, and only a user
 * choosing their own passphrase needs them, so nothing else (an upload, a download) pays for them.
 */
function estimator(): Promise<ZxcvbnFactory> {
  zxcvbn ??= Promise.all([import('@zxcvbn-ts/core'), import('@zxcvbn-ts/language-common'), import('@zxcvbn-ts/language-en')]).then(
    ([core, common, en]) =>
      new core.ZxcvbnFactory({
        dictionary: { ...common.dictionary, ...en.dictionary },
        graphs: common.adjacencyGraphs,
        translations: en.translations,
      }),
  );
  return zxcvbn;
}

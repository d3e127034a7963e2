import { checkStrength, type PassphraseStrength } from './passphrase.js';

/** Shortest accepted link password, in characters (after NFKC). */
export const MIN_LINK_PASSWORD_LENGTH = 10;
/** Least zxcvbn estimate of a link password, in bits of guessing work. */
export const MIN_LINK_PASSWORD_BITS = 40;

/**
 * A link password's own rule, lower than a passphrase's 75 bits on purpose: a link password can
 * only be guessed online. Its key material is useless without the server (the wrapped key comes
 * back only for a right proof, checked against a verifier under a KMS MAC key the database alone
 * cannot recompute), a guesser must first hold the URL with its 256-bit secret, and 10 wrong
 * guesses lock the link for 15 minutes: at most 960 guesses a day, so 40 bits (10^12 guesses)
 * outlast any link. `hunter2` (13 bits) and other short or common words are refused.
 */
export function checkLinkPasswordStrength(password: string, userInputs: string[] = []): Promise<PassphraseStrength> {
  return checkStrength(password, userInputs, {
    what: 'link password',
    minLength: MIN_LINK_PASSWORD_LENGTH,
    minBits: MIN_LINK_PASSWORD_BITS,
    advice: 'Use three or more uncommon words, or a generated passphrase.',
  });
}

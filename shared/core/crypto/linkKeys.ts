import { DecryptionFailed, InvalidLinkUrl, ValidationFailed } from '../errors/index.js';
import { argon2idBytes } from './argon2id.js';
import { fromBase64Url, toBase64Url } from './base64url.js';
import { concatBytes, wipe } from './bytes.js';
import { DOMAIN } from './domains.js';
import { hkdfBytes, hkdfKey } from './hkdf.js';
import { assertKdfCost, type KdfCost } from './kdfParams.js';
import { LINK_PARENT, unwrapKeyUnderKey, wrapKeyUnderKey } from './keyUnderKey.js';
import { randomBytes } from './randomBytes.js';
import { utf8Encode } from './utf8.js';

/**
 * Share-link keys (docs/links.md "Link crypto", docs/envelope-format.md "Share links").
 *
 * A link URL is `<server>/l/<token>#<secret>`. The token is the server's capability; the
 * secret S (32 random bytes) lives only in the fragment and never leaves the client. From S:
 *   no password:  linkKey = HKDF(S, no salt, "coffer/v1/link-key\0nopw", 32)
 *   password:     salt    = HKDF(S, no salt, "coffer/v1/link-password-salt", 16)
 *                 pwKey   = Argon2id(utf8(NFC(password)), salt, cost, 32)
 *                 linkKey = HKDF(S || pwKey, no salt, "coffer/v1/link-key\0pw", 32)
 *                 proof   = HKDF(pwKey, no salt, "coffer/v1/link-password-proof", 32)   // sent to the server
 * The node key is wrapped under linkKey with wrapKeyUnderKey, kind 'link'. HKDF separates
 * the proof from the link key: the proof (all the server learns besides the token and the
 * wrap) opens nothing, and without S it cannot even be tested against password guesses.
 */

export const LINK_SECRET_BYTES = 32;
/** Unpadded base64url of 32 bytes. */
export const LINK_SECRET_CHARS = 43;
const LINK_KEY_BYTES = 32;
const SALT_BYTES = 16;
const PW_KEY_BYTES = 32;
const PROOF_BYTES = 32;
const MAX_PASSWORD_CHARS = 1024;
const NO_SALT = new Uint8Array(0);
/** 43 characters of the base64url alphabet (canonicity is checked by decoding). */
const TOKEN_TEXT = /^[A-Za-z0-9_-]{43}$/;

export interface LinkKeys {
  /** The key the node key is wrapped under. Never sent anywhere; wipe it when done. */
  linkKey: Uint8Array;
  /** Only with a password: what the server checks, base64url (43 characters). */
  proof?: string;
}

export interface LinkPassword {
  password: string;
  kdf: KdfCost;
}

/** A fresh link secret: 32 bytes from the CSPRNG, as base64url (43 characters). */
export function newLinkSecret(): string {
  return toBase64Url(randomBytes(LINK_SECRET_BYTES));
}

/**
 * The link key (and, with a password, the proof) for a secret. The password and its cost are
 * checked first (ValidationFailed: a cost above MAX_KDF is refused, so a hostile server cannot
 * make a client spin), then the secret (anything but 43 canonical base64url characters is
 * DecryptionFailed, like a wrong one), all before any crypto runs.
 */
export async function deriveLinkKeys(secret: string, password?: LinkPassword): Promise<LinkKeys> {
  let passwordBytes: Uint8Array<ArrayBuffer> | undefined;
  let cost: KdfCost | undefined;
  if (password !== undefined) {
    if (typeof password !== 'object' || password === null) throw new ValidationFailed('The link password must be { password, kdf }.');
    cost = linkKdfCost(password.kdf);
    passwordBytes = passwordOf(password.password);
  }
  const s = decodeSecret(secret);
  try {
    if (!passwordBytes || !cost) {
      return { linkKey: await hkdfBytes(await hkdfKey(s), NO_SALT, DOMAIN.linkKeyNoPassword, LINK_KEY_BYTES) };
    }
    const salt = await hkdfBytes(await hkdfKey(s), NO_SALT, DOMAIN.linkPasswordSalt, SALT_BYTES);
    const pwKey = await argon2idBytes(passwordBytes, salt, cost, PW_KEY_BYTES);
    const ikm = concatBytes(s, pwKey);
    try {
      const [linkKey, proof] = await Promise.all([
        hkdfKey(ikm).then((base) => hkdfBytes(base, NO_SALT, DOMAIN.linkKeyPassword, LINK_KEY_BYTES)),
        hkdfKey(pwKey).then((base) => hkdfBytes(base, NO_SALT, DOMAIN.linkPasswordProof, PROOF_BYTES)),
      ]);
      return { linkKey, proof: toBase64Url(proof) };
    } finally {
      wipe(ikm);
      wipe(pwKey);
    }
  } finally {
    wipe(s);
    if (passwordBytes) wipe(passwordBytes);
  }
}

/** Wraps a node key (a document's DEK or a folder's key) under the link key: 82 base64url characters. */
export function wrapKeyForLink(linkKey: Uint8Array, nodeKey: Uint8Array, node: { nodeId: string; keyGeneration: number }): Promise<string> {
  return wrapKeyUnderKey(linkKey, nodeKey, linkLabel(node));
}

/**
 * Opens a link's wrap. A malformed wrap, a wrong link key (a wrong secret or password), a
 * wrong node or generation, or any tampering: the same DecryptionFailed.
 */
export async function unwrapLinkKey(linkKey: Uint8Array, wrapped: string, node: { nodeId: string; keyGeneration: number }): Promise<Uint8Array> {
  const label = linkLabel(node);
  // The wrap comes from the server: a value that is not even a string is ciphertext gone wrong, not a caller bug.
  if (typeof wrapped !== 'string') throw new DecryptionFailed();
  return unwrapKeyUnderKey(linkKey, wrapped, label);
}

/**
 * Splits `<base>/l/<token>#<secret>` at the last `/l/`. The base must be an http(s) URL with no
 * query or fragment; token and secret must each be 43 canonical base64url characters (32 bytes).
 * Anything else: InvalidLinkUrl (a ValidationFailed, code INVALID_LINK_URL). Surrounding
 * whitespace (a pasted URL) is ignored; a trailing '/' of the base is dropped.
 */
export function parseLinkUrl(url: string): { base: string; token: string; secret: string } {
  if (typeof url !== 'string') throw new InvalidLinkUrl();
  const text = url.trim();
  const at = text.lastIndexOf('/l/');
  if (at < 0) throw new InvalidLinkUrl();
  const base = checkBase(text.slice(0, at));
  const rest = text.slice(at + 3);
  const hash = rest.indexOf('#');
  if (hash < 0) throw new InvalidLinkUrl('The link has no secret: copy the whole URL, including the part after #.');
  const token = rest.slice(0, hash);
  const secret = rest.slice(hash + 1);
  if (!isKey32(token) || !isKey32(secret)) throw new InvalidLinkUrl();
  return { base, token, secret };
}

/** `<base>/l/<token>#<secret>`, after the same checks as parseLinkUrl. */
export function formatLinkUrl(base: string, token: string, secret: string): string {
  if (typeof base !== 'string') throw new InvalidLinkUrl();
  if (!isKey32(token) || !isKey32(secret)) throw new InvalidLinkUrl();
  return `${checkBase(base.trim())}/l/${token}#${secret}`;
}

function linkLabel(node: { nodeId: string; keyGeneration: number }) {
  if (typeof node !== 'object' || node === null) throw new ValidationFailed('The link node must be { nodeId, keyGeneration }.');
  return { kind: 'link', resourceId: node.nodeId, generation: node.keyGeneration, ...LINK_PARENT } as const;
}

function linkKdfCost(kdf: unknown): KdfCost {
  assertKdfCost(kdf as KdfCost);
  const { algorithm, memoryKiB, iterations, parallelism } = kdf as KdfCost;
  return { algorithm, memoryKiB, iterations, parallelism };
}

function passwordOf(password: unknown): Uint8Array<ArrayBuffer> {
  if (typeof password !== 'string') throw new ValidationFailed('The link password must be a string.');
  const normalised = password.normalize('NFC');
  if (normalised.length === 0 || normalised.length > MAX_PASSWORD_CHARS) {
    throw new ValidationFailed(`The link password must be 1 to ${MAX_PASSWORD_CHARS} characters.`);
  }
  return utf8Encode(normalised);
}

/** The 32 secret bytes; anything else is the same DecryptionFailed as a wrong secret. */
function decodeSecret(secret: unknown): Uint8Array<ArrayBuffer> {
  if (typeof secret !== 'string' || !TOKEN_TEXT.test(secret)) throw new DecryptionFailed();
  try {
    return fromBase64Url(secret);
  } catch {
    throw new DecryptionFailed();
  }
}

function isKey32(text: string): boolean {
  if (!TOKEN_TEXT.test(text)) return false;
  try {
    return fromBase64Url(text).length === LINK_SECRET_BYTES;
  } catch {
    return false;
  }
}

function checkBase(raw: string): string {
  const base = raw.replace(/\/+$/, '');
  let parsed: URL;
  try {
    parsed = new URL(base);
  } catch {
    throw new InvalidLinkUrl();
  }
  if ((parsed.protocol !== 'http:' && parsed.protocol !== 'https:') || !parsed.host) throw new InvalidLinkUrl();
  if (base.includes('?') || base.includes('#') || /\s/.test(base)) throw new InvalidLinkUrl();
  return base;
}

import { DecryptionFailed, ValidationFailed } from '../errors/index.js';
import { AES_GCM, aesGcmOpen, aesGcmSeal } from './aesGcm.js';
import { fromBase64Url, toBase64Url } from './base64url.js';
import { concatBytes, copyBytes, wipe } from './bytes.js';
import { DOMAIN } from './domains.js';
import { hkdfAesGcmKey, hkdfKey } from './hkdf.js';
import { assertBytes } from './inputChecks.js';
import { encodeGeneration, encodeLabelId } from './keyLabel.js';
import { randomBytes } from './randomBytes.js';
import { generateUserKeyPair, importPrivateKey } from './userKeyPair.js';
import { utf8Encode } from './utf8.js';

/**
 * Group keys (docs/permissions.md "Keys"). A group has, per key generation:
 * - an RSA-OAEP-3072 key pair, generated exactly like a user's. Grants to the group wrap
 *   node keys to its public key with wrapKey(..., { recipientId: 'g:<groupId>' });
 * - a random 32-byte group secret S, which seals the group's private key at rest:
 *     blob = base64url(0x01 (format version) || nonce (12 random bytes) || AES-256-GCM(pkcs8) || tag (16))
 *   under key = HKDF-SHA256(S, no salt, info "coffer/v1/group-private-key"), with
 *     AAD = utf8("coffer/v1/group-private-key") || 0x00 || u16 len || groupId || u64 generation
 *   so a sealed key moved to another group or generation does not open there.
 *
 * The secret reaches members with the existing RSA key wrap, no new function:
 *   wrapKey(memberPublicKey, secret, { kind: 'group', resourceId: groupId, generation,
 *                                       recipientId: 'u:<userId>' | 'g:<nestedGroupId>' })
 * (a nested group member is wrapped for the nested group's public key). On rotation the
 * old secret is chained under the new one with wrapKeyUnderKey(kind 'group-chain').
 *
 * Random nonces are safe: a secret is fresh per generation and seals one private key.
 */
export type GroupKeyPair = {
  /** SubjectPublicKeyInfo DER: published on the group (GROUP#<id> META publicKey). */
  publicKeySpki: Uint8Array;
  /** PKCS#8 DER: seal it with sealGroupPrivateKey before it leaves the client, then forget it. */
  privateKeyPkcs8: Uint8Array;
  /** Non-extractable; usages decrypt and unwrapKey. */
  privateKey: CryptoKey;
  /** Usages encrypt and wrapKey: wrap grants to the group with it. */
  publicKey: CryptoKey;
};

/** Where a sealed group private key belongs: bound into the AAD. */
export type GroupKeyLabel = {
  groupId: string;
  /** The group key generation (the secret and the key pair share it). */
  generation: number;
};

export const GROUP_SECRET_BYTES = 32;

const FORMAT_VERSION = 0x01;
const OVERHEAD = 1 + AES_GCM.nonceBytes + AES_GCM.tagBytes;
/** An RSA-4096 PKCS#8 is about 2.4 KB: anything bigger is not a key (as privateKeySeal.ts). */
const MAX_PKCS8_BYTES = 8192;
const MAX_BLOB_CHARS = Math.ceil(((OVERHEAD + MAX_PKCS8_BYTES) * 4) / 3);
const NO_SALT = new Uint8Array(0);

/** A fresh random group secret S (32 bytes). It leaves the client only RSA-wrapped to members. */
export function generateGroupSecret(): Uint8Array {
  return randomBytes(GROUP_SECRET_BYTES);
}

/** A new group key pair: RSA-OAEP-3072 SHA-256, e = 65537, as generateUserKeyPair. Seal the PKCS#8, then forget it. */
export async function generateGroupKeyPair(): Promise<GroupKeyPair> {
  return generateUserKeyPair();
}

/** Seals the group private key (PKCS#8) under the group secret for (groupId, generation). */
export async function sealGroupPrivateKey(secret: Uint8Array, pkcs8: Uint8Array, label: GroupKeyLabel): Promise<string> {
  assertBytes(secret, 'The group secret', GROUP_SECRET_BYTES);
  assertBytes(pkcs8, 'The group private key');
  if (pkcs8.length === 0 || pkcs8.length > MAX_PKCS8_BYTES) {
    throw new ValidationFailed(`The group private key must be 1 to ${MAX_PKCS8_BYTES} bytes of PKCS#8.`);
  }
  const aad = groupKeyAad(label);
  // Refuse to seal anything openGroupPrivateKey would not accept (ValidationFailed from the import).
  await importPrivateKey(pkcs8);
  const key = await sealingKey(secret, 'encrypt');
  const nonce = randomBytes(AES_GCM.nonceBytes);
  const plaintext = copyBytes(pkcs8);
  try {
    const sealed = await aesGcmSeal(key, nonce, plaintext, aad);
    return toBase64Url(concatBytes(Uint8Array.of(FORMAT_VERSION), nonce, sealed));
  } finally {
    wipe(plaintext);
  }
}

/**
 * Opens a sealed group private key as a non-extractable RSA-OAEP private key (usages
 * decrypt, unwrapKey), ready for unwrapKey. Wrong secret, group, generation, any tampering,
 * or contents that are not an accepted key: DecryptionFailed.
 */
export async function openGroupPrivateKey(secret: Uint8Array, sealed: string, label: GroupKeyLabel): Promise<CryptoKey> {
  assertBytes(secret, 'The group secret', GROUP_SECRET_BYTES);
  const aad = groupKeyAad(label);
  if (typeof sealed !== 'string') throw new ValidationFailed('The sealed group private key must be a base64url string.');
  // Format checks before any crypto; each failure is the same DecryptionFailed.
  if (sealed.length > MAX_BLOB_CHARS) throw new DecryptionFailed();
  let bytes: Uint8Array<ArrayBuffer>;
  try {
    bytes = fromBase64Url(sealed);
  } catch {
    throw new DecryptionFailed();
  }
  if (bytes.length <= OVERHEAD || bytes.length > OVERHEAD + MAX_PKCS8_BYTES) throw new DecryptionFailed();
  if (bytes[0] !== FORMAT_VERSION) throw new DecryptionFailed();
  const key = await sealingKey(secret, 'decrypt');
  const nonce = bytes.slice(1, 1 + AES_GCM.nonceBytes);
  const pkcs8 = await aesGcmOpen(key, nonce, bytes.slice(1 + AES_GCM.nonceBytes), aad);
  try {
    return await importPrivateKey(pkcs8);
  } catch {
    throw new DecryptionFailed();
  } finally {
    wipe(pkcs8);
  }
}

/** Validates the label and builds the AAD (no crypto). */
function groupKeyAad(label: GroupKeyLabel): Uint8Array<ArrayBuffer> {
  if (typeof label !== 'object' || label === null) throw new ValidationFailed('The group key label must be an object.');
  const groupId = encodeLabelId(label.groupId, 'group id');
  const generation = encodeGeneration(label.generation, 'group key generation');
  return concatBytes(utf8Encode(DOMAIN.groupPrivateKey), Uint8Array.of(0), groupId, generation);
}

async function sealingKey(secret: Uint8Array, usage: KeyUsage): Promise<CryptoKey> {
  const ikm = copyBytes(secret);
  try {
    return await hkdfAesGcmKey(await hkdfKey(ikm), NO_SALT, DOMAIN.groupPrivateKey, [usage]);
  } finally {
    wipe(ikm);
  }
}

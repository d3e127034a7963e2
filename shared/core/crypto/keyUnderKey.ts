import { DecryptionFailed, ValidationFailed } from '../errors/index.js';
import { AES_GCM, aesGcmOpen, aesGcmSeal } from './aesGcm.js';
import { fromBase64Url, toBase64Url } from './base64url.js';
import { concatBytes, copyBytes, wipe } from './bytes.js';
import { DATA_KEY_BYTES } from './dataKey.js';
import { DOMAIN } from './domains.js';
import { hkdfAesGcmKey, hkdfKey } from './hkdf.js';
import { assertBytes } from './inputChecks.js';
import { encodeGeneration, encodeLabelId } from './keyLabel.js';
import { randomBytes } from './randomBytes.js';
import { utf8Encode } from './utf8.js';

/**
 * A 32-byte key wrapped under another 32-byte key (docs/permissions.md "Keys"), as the
 * base64url of exactly 61 bytes (82 characters):
 *   0x01 (format version) || nonce (12 random bytes) || AES-256-GCM(childKey) (32) || tag (16)
 * under key = HKDF-SHA256(parentKey, no salt, info "coffer/v1/key-under-key"), with
 *   AAD = utf8("coffer/v1/key-under-key") || 0x00
 *         || u16 len || kind || u16 len || resourceId || u64 generation
 *         || u16 len || parentId || u64 parentGeneration
 * The AAD binds the wrap to its place, so a server cannot move it to another child, parent,
 * generation or purpose. Random nonces are safe: one parent key wraps one key per child
 * (plus re-wraps when nodes move) and one chain link, far below the 2^32 limit for 96-bit
 * random nonces.
 */
export type KeyUnderKeyLabel = {
  kind: KeyUnderKeyKind;
  /** The wrapped (child) key's owner: a node id, or the folder / group id of a chain link. */
  resourceId: string;
  /** The wrapped key's generation (for a chain link: the old generation). */
  generation: number;
  /** The wrapping (parent) key's owner: the folder id, or for a chain link the same id as resourceId. */
  parentId: string;
  /** The wrapping key's generation (for a chain link: the new generation). */
  parentGeneration: number;
};

/**
 * - `folder-child`: a node key under its parent folder's key (resourceId != parentId).
 * - `key-chain`: a folder's old key under its new key (resourceId = parentId, generation < parentGeneration).
 * - `group-chain`: a group's old secret under its new secret (same rules as key-chain).
 * - `link`: a node key under a share link's key (parentId = 'link', parentGeneration = 0; linkKeys.ts).
 */
export type KeyUnderKeyKind = 'folder-child' | 'key-chain' | 'group-chain' | 'link';

const KINDS: readonly KeyUnderKeyKind[] = ['folder-child', 'key-chain', 'group-chain', 'link'];
/** The fixed parent of a `link` wrap: the link key has no id or generation of its own. */
export const LINK_PARENT = { parentId: 'link', parentGeneration: 0 } as const;
const FORMAT_VERSION = 0x01;
const WRAPPED_BYTES = 1 + AES_GCM.nonceBytes + DATA_KEY_BYTES + AES_GCM.tagBytes; // 61
const WRAPPED_CHARS = Math.ceil((WRAPPED_BYTES * 4) / 3); // 82: unpadded base64url
const NO_SALT = new Uint8Array(0);

/** Wraps `childKey` under `parentKey` for the place `label` describes. */
export async function wrapKeyUnderKey(parentKey: Uint8Array, childKey: Uint8Array, label: KeyUnderKeyLabel): Promise<string> {
  assertBytes(parentKey, 'The parent key', DATA_KEY_BYTES);
  assertBytes(childKey, 'The child key', DATA_KEY_BYTES);
  const aad = encodeKeyUnderKeyLabel(label);
  const key = await wrappingKey(parentKey, 'encrypt');
  const nonce = randomBytes(AES_GCM.nonceBytes);
  const plaintext = copyBytes(childKey);
  try {
    const sealed = await aesGcmSeal(key, nonce, plaintext, aad);
    return toBase64Url(concatBytes(Uint8Array.of(FORMAT_VERSION), nonce, sealed));
  } finally {
    wipe(plaintext);
  }
}

/** Unwraps a key made by wrapKeyUnderKey. Wrong key, wrong label or any tampering: DecryptionFailed. */
export async function unwrapKeyUnderKey(parentKey: Uint8Array, wrapped: string, label: KeyUnderKeyLabel): Promise<Uint8Array> {
  assertBytes(parentKey, 'The parent key', DATA_KEY_BYTES);
  const aad = encodeKeyUnderKeyLabel(label);
  if (typeof wrapped !== 'string') throw new ValidationFailed('The wrapped key must be a base64url string.');
  // Format checks before any crypto; each failure is the same DecryptionFailed.
  if (wrapped.length !== WRAPPED_CHARS) throw new DecryptionFailed();
  let bytes: Uint8Array<ArrayBuffer>;
  try {
    bytes = fromBase64Url(wrapped);
  } catch {
    throw new DecryptionFailed();
  }
  if (bytes.length !== WRAPPED_BYTES || bytes[0] !== FORMAT_VERSION) throw new DecryptionFailed();
  const key = await wrappingKey(parentKey, 'decrypt');
  const nonce = bytes.slice(1, 1 + AES_GCM.nonceBytes);
  return aesGcmOpen(key, nonce, bytes.slice(1 + AES_GCM.nonceBytes), aad);
}

/** The AAD bytes (no crypto). Every field is validated, then length-prefixed or fixed width. */
export function encodeKeyUnderKeyLabel(label: KeyUnderKeyLabel): Uint8Array<ArrayBuffer> {
  if (typeof label !== 'object' || label === null) throw new ValidationFailed('The key label must be an object.');
  if (!KINDS.includes(label.kind)) throw new ValidationFailed(`The key label kind must be one of ${KINDS.join(', ')}.`);
  const parts = [
    encodeLabelId(label.kind, 'key label kind'),
    encodeLabelId(label.resourceId, 'key label resourceId'),
    encodeGeneration(label.generation, 'key label generation'),
    encodeLabelId(label.parentId, 'key label parentId'),
    encodeGeneration(label.parentGeneration, 'key label parentGeneration'),
  ];
  // Shape rules: a wrong-shaped label is a caller bug, never a valid place for a key.
  if (label.kind === 'folder-child') {
    if (label.resourceId === label.parentId) {
      throw new ValidationFailed('A folder-child key label needs parentId to differ from resourceId.');
    }
  } else if (label.kind === 'link') {
    if (label.parentId !== LINK_PARENT.parentId || label.parentGeneration !== LINK_PARENT.parentGeneration) {
      throw new ValidationFailed("A link key label needs parentId 'link' and parentGeneration 0.");
    }
  } else {
    if (label.resourceId !== label.parentId) {
      throw new ValidationFailed(`A ${label.kind} key label needs parentId equal to resourceId (one folder or group).`);
    }
    if (label.generation >= label.parentGeneration) {
      throw new ValidationFailed(`A ${label.kind} key label wraps an older generation under a newer one: generation < parentGeneration.`);
    }
  }
  return concatBytes(utf8Encode(DOMAIN.keyUnderKey), Uint8Array.of(0), ...parts);
}

async function wrappingKey(parentKey: Uint8Array, usage: KeyUsage): Promise<CryptoKey> {
  const ikm = copyBytes(parentKey);
  try {
    return await hkdfAesGcmKey(await hkdfKey(ikm), NO_SALT, DOMAIN.keyUnderKey, [usage]);
  } finally {
    wipe(ikm);
  }
}

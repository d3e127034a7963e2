import { DecryptionFailed, ValidationFailed } from '../errors/index.js';
import { copyBytes, wipe } from './bytes.js';
import { DATA_KEY_BYTES } from './dataKey.js';
import { DOMAIN } from './domains.js';
import { assertBytes } from './inputChecks.js';
import { isAcceptedRsaOaepKey, RSA_OAEP } from './rsaOaep.js';
import { subtle } from './subtle.js';
import { utf8Encode } from './utf8.js';

export { generateDataKey } from './dataKey.js';

/** What a wrapped key is for: bound into the RSA-OAEP label, so it unwraps only there. */
export type WrapLabel = {
  kind: WrapKind;
  /** Document (or group, folder, link) id. */
  resourceId: string;
  /** Key generation (document version or key rotation counter). */
  generation: number;
  /** The principal the key is wrapped to. */
  recipientId: string;
};

export type WrapKind = 'dek' | 'group' | 'folder' | 'link';

const WRAP_KINDS: readonly WrapKind[] = ['dek', 'group', 'folder', 'link'];
const MAX_LABEL_PART_BYTES = 256;

/**
 * Wraps a 32-byte key to a recipient's RSA-OAEP (SHA-256) public key with the label
 *   utf8("coffer/v1/wrap\0<kind>\0<resourceId>\0<generation>\0<recipientId>")
 * OAEP authenticates the label, so the wrapped key fails to unwrap under any other
 * (kind, resource, generation, recipient): a server cannot move it elsewhere.
 */
export async function wrapKey(publicKey: CryptoKey, rawKey: Uint8Array, label: WrapLabel): Promise<Uint8Array> {
  assertRsaKey(publicKey, 'public', 'encrypt');
  assertBytes(rawKey, 'The key to wrap', DATA_KEY_BYTES);
  const oaepLabel = encodeWrapLabel(label);
  const wrapped = await subtle().encrypt({ name: RSA_OAEP.name, label: oaepLabel }, publicKey, copyBytes(rawKey));
  return new Uint8Array(wrapped);
}

/** Unwraps a key made by wrapKey. Wrong key, wrong label or any tampering: DecryptionFailed. */
export async function unwrapKey(privateKey: CryptoKey, wrapped: Uint8Array, label: WrapLabel): Promise<Uint8Array> {
  assertRsaKey(privateKey, 'private', 'decrypt');
  assertBytes(wrapped, 'The wrapped key');
  const oaepLabel = encodeWrapLabel(label);
  // An RSA-OAEP ciphertext is exactly as long as the modulus.
  if (wrapped.length !== (privateKey.algorithm as RsaHashedKeyAlgorithm).modulusLength / 8) throw new DecryptionFailed();
  let raw: Uint8Array;
  try {
    raw = new Uint8Array(await subtle().decrypt({ name: RSA_OAEP.name, label: oaepLabel }, privateKey, copyBytes(wrapped)));
  } catch {
    throw new DecryptionFailed();
  }
  if (raw.length !== DATA_KEY_BYTES) {
    wipe(raw);
    throw new DecryptionFailed();
  }
  return raw;
}

/** The OAEP label bytes. Every part is validated; none may contain the \0 separator. */
export function encodeWrapLabel(label: WrapLabel): Uint8Array<ArrayBuffer> {
  if (typeof label !== 'object' || label === null) throw new ValidationFailed('The wrap label must be an object.');
  if (!WRAP_KINDS.includes(label.kind)) throw new ValidationFailed(`The wrap label kind must be one of ${WRAP_KINDS.join(', ')}.`);
  assertLabelPart(label.resourceId, 'resourceId');
  assertLabelPart(label.recipientId, 'recipientId');
  const generation = label.generation;
  if (typeof generation !== 'number' || !Number.isSafeInteger(generation) || generation < 0) {
    throw new ValidationFailed('The wrap label generation must be a non-negative integer.');
  }
  return utf8Encode([DOMAIN.wrap, label.kind, label.resourceId, String(generation), label.recipientId].join('\0'));
}

function assertLabelPart(value: unknown, name: string): asserts value is string {
  if (typeof value !== 'string' || value.length === 0) throw new ValidationFailed(`The wrap label ${name} must be a non-empty string.`);
  if (value.includes('\0')) throw new ValidationFailed(`The wrap label ${name} must not contain \\0.`);
  if (utf8Encode(value).length > MAX_LABEL_PART_BYTES) {
    throw new ValidationFailed(`The wrap label ${name} must be at most ${MAX_LABEL_PART_BYTES} bytes.`);
  }
}

function assertRsaKey(key: unknown, type: KeyType, usage: KeyUsage): asserts key is CryptoKey {
  const k = key as CryptoKey | null | undefined;
  if (typeof k !== 'object' || k === null || k.type !== type || !k.usages?.includes(usage) || !isAcceptedRsaOaepKey(k)) {
    throw new ValidationFailed(`Expected an RSA-OAEP SHA-256 ${type} CryptoKey with usage "${usage}" (see importPublicKey/importPrivateKey).`);
  }
}

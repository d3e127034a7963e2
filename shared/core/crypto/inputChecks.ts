import { ValidationFailed } from '../errors/index.js';

/**
 * Argument checks run before any crypto (jose style). They guard the caller's own inputs
 * (keys, ids, versions) and throw ValidationFailed with a message naming the fix.
 * Ciphertext is never checked here: anything wrong with ciphertext is DecryptionFailed.
 */

/** User ids (docs/design.md "Identifiers"). */
export const USER_ID = /^[a-z0-9][a-z0-9._-]{1,63}$/;

/** Document and other resource ids: base64url characters (design: 22 chars of 16 random bytes). */
export const RESOURCE_ID = /^[A-Za-z0-9_-]{1,128}$/;

export function assertBytes(value: unknown, name: string, length?: number): asserts value is Uint8Array {
  if (!(value instanceof Uint8Array)) throw new ValidationFailed(`${name} must be a Uint8Array.`);
  if (length !== undefined && value.length !== length) {
    throw new ValidationFailed(`${name} must be exactly ${length} bytes.`);
  }
}

export function assertUserId(value: unknown): asserts value is string {
  if (typeof value !== 'string' || !USER_ID.test(value)) {
    throw new ValidationFailed('The user id must match ^[a-z0-9][a-z0-9._-]{1,63}$.');
  }
}

export function assertDocumentId(value: unknown): asserts value is string {
  if (typeof value !== 'string' || !RESOURCE_ID.test(value)) {
    throw new ValidationFailed('The document id must be 1 to 128 base64url characters.');
  }
}

/** A document version number: an unsigned 32-bit integer (it is encoded as u32 in the AAD). */
export function assertVersion(value: unknown): asserts value is number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 0xffff_ffff) {
    throw new ValidationFailed('The version must be an integer from 0 to 4294967295.');
  }
}

/** An AES-256-GCM CryptoKey allowed to perform `usage`. */
export function assertAesGcmKey(value: unknown, usage: KeyUsage, name: string): asserts value is CryptoKey {
  const key = value as CryptoKey | undefined;
  const algorithm = key?.algorithm as AesKeyAlgorithm | undefined;
  if (
    typeof key !== 'object' ||
    key === null ||
    algorithm?.name !== 'AES-GCM' ||
    algorithm.length !== 256 ||
    !key.usages.includes(usage)
  ) {
    throw new ValidationFailed(`${name} must be an AES-256-GCM CryptoKey with usage "${usage}".`);
  }
}

import { ValidationFailed } from '../errors/index.js';
import { concatBytes, u16be, u32be } from './bytes.js';
import { utf8Encode } from './utf8.js';

/**
 * The fields of the AES-GCM AADs that bind a symmetric key wrap or seal to its place
 * (keyUnderKey.ts, groupKeys.ts). Every field is validated and length-prefixed or fixed
 * width, so two different labels never encode to the same bytes. The id rules match the
 * RSA wrap label (keyWrap.ts): non-empty, no \0, at most 256 bytes of UTF-8.
 */
export const MAX_LABEL_ID_BYTES = 256;

/** u16(len(utf8(value))) || utf8(value), after checking the id rules. */
export function encodeLabelId(value: unknown, name: string): Uint8Array<ArrayBuffer> {
  if (typeof value !== 'string' || value.length === 0) throw new ValidationFailed(`The ${name} must be a non-empty string.`);
  if (value.includes('\0')) throw new ValidationFailed(`The ${name} must not contain \\0.`);
  const bytes = utf8Encode(value);
  if (bytes.length > MAX_LABEL_ID_BYTES) throw new ValidationFailed(`The ${name} must be at most ${MAX_LABEL_ID_BYTES} bytes.`);
  return concatBytes(u16be(bytes.length), bytes);
}

/** A key generation as u64 (big-endian), after checking it is a safe non-negative integer. */
export function encodeGeneration(value: unknown, name: string): Uint8Array<ArrayBuffer> {
  assertGeneration(value, name);
  // A safe integer is below 2^53, so the high half fits u32 exactly.
  return concatBytes(u32be(Math.floor(value / 0x1_0000_0000)), u32be(value % 0x1_0000_0000));
}

export function assertGeneration(value: unknown, name: string): asserts value is number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new ValidationFailed(`The ${name} must be a non-negative integer.`);
  }
}

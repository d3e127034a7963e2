import { ValidationFailed } from '../errors/index.js';

/**
 * Base64url without padding (RFC 4648 §5), the only text encoding of bytes in Coffer.
 * Decoding is strict: padding, whitespace, the standard alphabet (+ /), an impossible
 * length, or non-zero trailing bits are rejected, so every byte string has exactly one
 * accepted encoding.
 */
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const VALUE = new Int16Array(128).fill(-1);
for (let i = 0; i < ALPHABET.length; i++) VALUE[ALPHABET.charCodeAt(i)] = i;

export function toBase64Url(bytes: Uint8Array): string {
  if (!(bytes instanceof Uint8Array)) throw new ValidationFailed('Expected bytes (Uint8Array).');
  const parts: string[] = [];
  let chunk = '';
  const full = bytes.length - (bytes.length % 3);
  for (let i = 0; i < full; i += 3) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!;
    chunk += ALPHABET[n >>> 18]! + ALPHABET[(n >>> 12) & 63]! + ALPHABET[(n >>> 6) & 63]! + ALPHABET[n & 63]!;
    if (chunk.length >= 65536) {
      parts.push(chunk);
      chunk = '';
    }
  }
  const rest = bytes.length - full;
  if (rest === 1) {
    const n = bytes[full]! << 16;
    chunk += ALPHABET[n >>> 18]! + ALPHABET[(n >>> 12) & 63]!;
  } else if (rest === 2) {
    const n = (bytes[full]! << 16) | (bytes[full + 1]! << 8);
    chunk += ALPHABET[n >>> 18]! + ALPHABET[(n >>> 12) & 63]! + ALPHABET[(n >>> 6) & 63]!;
  }
  parts.push(chunk);
  return parts.join('');
}

export function fromBase64Url(text: string): Uint8Array<ArrayBuffer> {
  if (typeof text !== 'string') throw new ValidationFailed('Expected a base64url string.');
  const rest = text.length % 4;
  if (rest === 1) throw invalid();
  const out = new Uint8Array(((text.length - rest) / 4) * 3 + (rest === 0 ? 0 : rest - 1));
  let o = 0;
  let i = 0;
  for (; i + 4 <= text.length; i += 4) {
    const n = (sextet(text, i) << 18) | (sextet(text, i + 1) << 12) | (sextet(text, i + 2) << 6) | sextet(text, i + 3);
    out[o++] = n >>> 16;
    out[o++] = (n >>> 8) & 255;
    out[o++] = n & 255;
  }
  if (rest === 2) {
    const n = (sextet(text, i) << 18) | (sextet(text, i + 1) << 12);
    if (n & 0xffff) throw invalid(); // non-canonical: unused trailing bits must be zero
    out[o++] = n >>> 16;
  } else if (rest === 3) {
    const n = (sextet(text, i) << 18) | (sextet(text, i + 1) << 12) | (sextet(text, i + 2) << 6);
    if (n & 0xff) throw invalid(); // non-canonical: unused trailing bits must be zero
    out[o++] = n >>> 16;
    out[o++] = (n >>> 8) & 255;
  }
  return out;
}

function sextet(text: string, index: number): number {
  const code = text.charCodeAt(index);
  const value = code < 128 ? VALUE[code]! : -1;
  if (value < 0) throw invalid();
  return value;
}

function invalid(): ValidationFailed {
  return new ValidationFailed('The value is not canonical unpadded base64url.');
}

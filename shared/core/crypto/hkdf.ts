import { AES_GCM } from './aesGcm.js';
import { subtle } from './subtle.js';
import { utf8Encode } from './utf8.js';

/**
 * HKDF-SHA256 (RFC 5869) through WebCrypto. Import the input key material once with
 * hkdfKey (then wipe the bytes), derive from the CryptoKey. An empty salt means "no salt".
 */
export async function hkdfKey(ikm: Uint8Array<ArrayBuffer>): Promise<CryptoKey> {
  return subtle().importKey('raw', ikm, 'HKDF', false, ['deriveBits', 'deriveKey']);
}

/** `length` bytes of HKDF-SHA256 output. */
export async function hkdfBytes(
  base: CryptoKey,
  salt: Uint8Array<ArrayBuffer>,
  info: string,
  length: number,
): Promise<Uint8Array<ArrayBuffer>> {
  return new Uint8Array(await subtle().deriveBits(params(salt, info), base, length * 8));
}

/** A non-extractable AES-256-GCM key derived with HKDF-SHA256. */
export async function hkdfAesGcmKey(
  base: CryptoKey,
  salt: Uint8Array<ArrayBuffer>,
  info: string,
  usages: KeyUsage[],
): Promise<CryptoKey> {
  return subtle().deriveKey(params(salt, info), base, { name: AES_GCM.name, length: AES_GCM.keyBits }, false, usages);
}

function params(salt: Uint8Array<ArrayBuffer>, info: string): HkdfParams {
  return { name: 'HKDF', hash: 'SHA-256', salt, info: utf8Encode(info) };
}

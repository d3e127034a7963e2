import { timingSafeEqual } from 'node:crypto';
import type { KeyService } from '../../ports/KeyService.js';
import { decode32 } from './linkToken.js';

const VERIFIER_DOMAIN = Buffer.from('coffer/v1/link-password\0', 'utf8');

/**
 * What the server stores of a link password: KMS-HMAC(utf8("coffer/v1/link-password\0") ||
 * utf8(linkId) || 0x00 || proof), base64url. Without the MAC key a dump of the table gives
 * nothing to test guesses against; the proof itself is never stored or logged.
 */
export async function linkVerifier(keys: KeyService, linkId: string, proof: string): Promise<string> {
  const message = Buffer.concat([VERIFIER_DOMAIN, Buffer.from(linkId, 'utf8'), Buffer.from([0]), decode32(proof, 'password proof')]);
  return Buffer.from(await keys.mac(new Uint8Array(message))).toString('base64url');
}

/** True when `proof` is the one the verifier was made from (constant-time comparison). */
export async function proofMatches(keys: KeyService, linkId: string, proof: string, verifier: string): Promise<boolean> {
  const expected = Buffer.from(verifier, 'base64url');
  const actual = Buffer.from(await linkVerifier(keys, linkId, proof), 'base64url');
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}

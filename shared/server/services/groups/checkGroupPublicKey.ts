import { createHash, createPublicKey } from 'node:crypto';
import { ValidationFailed } from '../../../core/errors/index.js';

/**
 * A group's public key as the server accepts it: RSA of 3072 to 8192 bits (SPKI DER, base64url),
 * and `fingerprint` its SHA-256, so members' clients can compare what they pinned.
 */
export function checkGroupPublicKey(publicKey: string, fingerprint: string): void {
  const spki = Buffer.from(publicKey, 'base64url');
  let ok = false;
  try {
    const key = createPublicKey({ key: spki, format: 'der', type: 'spki' });
    const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
    ok = key.asymmetricKeyType === 'rsa' && bits >= 3072 && bits <= 8192;
  } catch {
    ok = false;
  }
  if (!ok) throw new ValidationFailed('publicKey must be an RSA public key of at least 3072 bits (SPKI DER, base64url).');
  if (createHash('sha256').update(spki).digest('hex') !== fingerprint) {
    throw new ValidationFailed('fingerprint must be the SHA-256 (hex) of publicKey.');
  }
}

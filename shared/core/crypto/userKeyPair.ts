import { ValidationFailed } from '../errors/index.js';
import { copyBytes, toHex } from './bytes.js';
import { assertBytes } from './inputChecks.js';
import { isAcceptedRsaOaepKey, RSA_OAEP } from './rsaOaep.js';
import { subtle } from './subtle.js';

export type UserKeyPair = {
  /** SubjectPublicKeyInfo DER: published through the server. */
  publicKeySpki: Uint8Array;
  /** PKCS#8 DER: seal it with sealPrivateKey before it leaves the client, then forget it. */
  privateKeyPkcs8: Uint8Array;
  /** Non-extractable; usages decrypt and unwrapKey. */
  privateKey: CryptoKey;
  /** Usages encrypt and wrapKey. */
  publicKey: CryptoKey;
};

const PUBLIC_USAGES: KeyUsage[] = ['encrypt', 'wrapKey'];
const PRIVATE_USAGES: KeyUsage[] = ['decrypt', 'unwrapKey'];
const ALGORITHM: RsaHashedImportParams = { name: RSA_OAEP.name, hash: RSA_OAEP.hash };

/** A new RSA-OAEP-3072 SHA-256 key pair (e = 65537). */
export async function generateUserKeyPair(): Promise<UserKeyPair> {
  const generated = await subtle().generateKey(
    {
      name: RSA_OAEP.name,
      hash: RSA_OAEP.hash,
      modulusLength: RSA_OAEP.modulusBits,
      publicExponent: RSA_OAEP.publicExponent,
    },
    true, // extractable only long enough to export the PKCS#8 once, below
    [...PUBLIC_USAGES, ...PRIVATE_USAGES],
  );
  const publicKeySpki = new Uint8Array(await subtle().exportKey('spki', generated.publicKey));
  const privateKeyPkcs8 = new Uint8Array(await subtle().exportKey('pkcs8', generated.privateKey));
  const [publicKey, privateKey] = await Promise.all([importPublicKey(publicKeySpki), importPrivateKey(privateKeyPkcs8)]);
  return { publicKeySpki, privateKeyPkcs8, privateKey, publicKey };
}

/** Imports another user's public key (SPKI DER), allow-listing algorithm, hash, size and exponent. */
export async function importPublicKey(spki: Uint8Array): Promise<CryptoKey> {
  assertBytes(spki, 'The public key');
  let key: CryptoKey;
  try {
    key = await subtle().importKey('spki', copyBytes(spki), ALGORITHM, true, PUBLIC_USAGES);
  } catch {
    throw new ValidationFailed('The public key is not an RSA-OAEP SPKI key.');
  }
  if (!isAcceptedRsaOaepKey(key)) throw new ValidationFailed('The public key must be RSA-OAEP 3072 (or 4096) with e=65537.');
  return key;
}

/** Imports the user's own private key (PKCS#8 DER) as non-extractable, for unwrapping only. */
export async function importPrivateKey(pkcs8: Uint8Array): Promise<CryptoKey> {
  assertBytes(pkcs8, 'The private key');
  let key: CryptoKey;
  try {
    key = await subtle().importKey('pkcs8', copyBytes(pkcs8), ALGORITHM, false, PRIVATE_USAGES);
  } catch {
    throw new ValidationFailed('The private key is not an RSA-OAEP PKCS#8 key.');
  }
  if (!isAcceptedRsaOaepKey(key)) throw new ValidationFailed('The private key must be RSA-OAEP 3072 (or 4096) with e=65537.');
  return key;
}

/** SHA-256 of the SPKI DER as 64 lowercase hex characters (docs/design.md "Identifiers"). */
export async function fingerprint(spki: Uint8Array): Promise<string> {
  assertBytes(spki, 'The public key');
  return toHex(new Uint8Array(await subtle().digest('SHA-256', copyBytes(spki))));
}

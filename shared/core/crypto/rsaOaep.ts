/** Everything about the one public-key algorithm of Coffer, in one table (and its allow-list). */
export const RSA_OAEP = {
  name: 'RSA-OAEP',
  hash: 'SHA-256',
  /** Generated keys. */
  modulusBits: 3072,
  /** Keys accepted from other users (3072 today; 4096 is accepted so a later upgrade is not a break). */
  acceptedModulusBits: [3072, 4096] as readonly number[],
  /** 65537 */
  publicExponent: new Uint8Array([0x01, 0x00, 0x01]),
} as const;

/** True when `key` is an RSA-OAEP SHA-256 key of an accepted size with e = 65537. */
export function isAcceptedRsaOaepKey(key: CryptoKey): boolean {
  const algorithm = key.algorithm as RsaHashedKeyAlgorithm;
  const e = algorithm.publicExponent;
  return (
    algorithm.name === RSA_OAEP.name &&
    (algorithm.hash as KeyAlgorithm | undefined)?.name === RSA_OAEP.hash &&
    RSA_OAEP.acceptedModulusBits.includes(algorithm.modulusLength) &&
    e instanceof Uint8Array &&
    normaliseExponent(e) === '010001'
  );
}

function normaliseExponent(e: Uint8Array): string {
  let i = 0;
  while (i < e.length - 1 && e[i] === 0) i++;
  let out = '';
  for (const byte of e.subarray(i)) out += byte.toString(16).padStart(2, '0');
  return out;
}

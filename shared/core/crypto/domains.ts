/**
 * Every domain-separation string of the v1 formats, in one table. Each key, nonce space
 * and AAD in Coffer is bound to exactly one of these, so a value produced for one purpose
 * never verifies for another. Changing one is a format break: add a v2 string instead.
 */
export const DOMAIN = {
  /** HKDF info: master key -> login verifier sent to the server. */
  auth: 'coffer/v1/auth',
  /** HKDF info: master key -> AES key that seals the private key; also the AAD prefix of the seal. */
  privateKey: 'coffer/v1/private-key',
  /** RSA-OAEP label prefix for wrapped keys. */
  wrap: 'coffer/v1/wrap',
  /** HKDF info: DEK -> metadata key; also the AAD prefix of metadata blobs. */
  metadata: 'coffer/v1/metadata',
  /** HKDF info: DEK + header salt -> stream key. */
  stream: 'coffer/v1/stream',
  /** HKDF info: parent key -> AES key that wraps child keys; also the AAD prefix of the wrap. */
  keyUnderKey: 'coffer/v1/key-under-key',
  /** HKDF info: group secret -> AES key that seals the group private key; also the AAD prefix of the seal. */
  groupPrivateKey: 'coffer/v1/group-private-key',
  /** HKDF info: link secret -> link key, for a link without a password. */
  linkKeyNoPassword: 'coffer/v1/link-key\0nopw',
  /** HKDF info: link secret || password key -> link key, for a link with a password. */
  linkKeyPassword: 'coffer/v1/link-key\0pw',
  /** HKDF info: link secret -> the 16-byte Argon2id salt of the link password. */
  linkPasswordSalt: 'coffer/v1/link-password-salt',
  /** HKDF info: password key -> the proof sent to the server (never the link key). */
  linkPasswordProof: 'coffer/v1/link-password-proof',
} as const;

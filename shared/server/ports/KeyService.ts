/**
 * The server's key-management port (KMS). Keys never leave the backend: callers get
 * signatures, MACs and ciphertexts, never key material.
 *
 * Adapters: `adapters/aws/KmsKeyService` (AWS KMS) and `adapters/local/LocalKeyringKeyService`
 * (keyring file, for `npm start` and tests). One contract test
 * (`test/unit/kms/keyService.contract.test.ts`) runs against both.
 */
export interface KeyService {
  /**
   * ECDSA P-256 / SHA-256 over `message`, in JOSE raw form (r || s, 32 bytes each, 64 in all):
   * the JWS signature of an ES256 token, not DER.
   */
  sign(message: Uint8Array): Promise<Uint8Array>;

  /** SubjectPublicKeyInfo (DER) of the signing key. */
  signingPublicKey(): Promise<Uint8Array>;

  /** Stable identifier of the signing key, used as the JWT `kid`. */
  signingKeyId(): string;

  /**
   * ECDSA P-256 / SHA-256 over `message` (r || s, 64 bytes) under the audit checkpoint key: a
   * key that signs audit checkpoints and nothing else, so a token signer cannot forge one and
   * the key's policy can let only the audit function sign (docs/audit.md).
   */
  signAuditCheckpoint(message: Uint8Array): Promise<Uint8Array>;

  /** SubjectPublicKeyInfo (DER) of the audit checkpoint key: what verifiers check checkpoints against. */
  auditCheckpointPublicKey(): Promise<Uint8Array>;

  /** HMAC-SHA-256 of `message` under the MAC key: 32 bytes, deterministic. */
  mac(message: Uint8Array): Promise<Uint8Array>;

  /**
   * Symmetric encryption bound to `context` (authenticated, not secret: never put secrets in it).
   * The blob is opaque and adapter-specific.
   */
  encrypt(plaintext: Uint8Array, context: EncryptionContext): Promise<Uint8Array>;

  /**
   * Inverse of `encrypt`. Throws `DecryptionFailed` for a tampered or foreign blob or a context
   * that differs in any key or value.
   */
  decrypt(blob: Uint8Array, context: EncryptionContext): Promise<Uint8Array>;
}

export type EncryptionContext = Readonly<Record<string, string>>;

/**
 * AWS KMS accepts at most 4096 bytes for Sign (RAW), GenerateMac and Encrypt. Both adapters
 * enforce the same limit so code that works locally cannot fail on AWS for size alone.
 */
export const KEY_SERVICE_MAX_MESSAGE_BYTES = 4096;

/** Length of an ES256 signature in JOSE form (r || s). */
export const ES256_SIGNATURE_BYTES = 64;

/** Length of an HMAC-SHA-256 tag. */
export const MAC_BYTES = 32;

/**
 * Shared argument guard for both adapters: programmer errors (wrong types, oversize
 * messages, non-string context values) are `TypeError`/`RangeError`, not domain errors.
 */
export function assertMessage(name: string, value: unknown): asserts value is Uint8Array {
  if (!(value instanceof Uint8Array)) throw new TypeError(`${name} must be a Uint8Array`);
  if (value.byteLength > KEY_SERVICE_MAX_MESSAGE_BYTES) {
    throw new RangeError(`${name} must be at most ${KEY_SERVICE_MAX_MESSAGE_BYTES} bytes`);
  }
}

export function assertContext(value: unknown): asserts value is EncryptionContext {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new TypeError('context must be a plain object of strings');
  }
  for (const entry of Object.values(value)) {
    if (typeof entry !== 'string') throw new TypeError('context values must be strings');
  }
}

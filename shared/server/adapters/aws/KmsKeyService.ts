import {
  DecryptCommand,
  EncryptCommand,
  GenerateMacCommand,
  GetPublicKeyCommand,
  type KMSClient,
  SignCommand,
} from '@aws-sdk/client-kms';
import { DecryptionFailed, ServiceUnavailable } from '../../../core/errors/index.js';
import {
  assertContext,
  assertMessage,
  type EncryptionContext,
  type KeyService,
  MAC_BYTES,
} from '../../ports/KeyService.js';
import { derToJoseSignature } from './KmsSignature.js';

export interface KmsKeyServiceOptions {
  /** A configured client: region, credentials and retries are the caller's business. */
  client: KMSClient;
  /**
   * Asymmetric ECC_NIST_P256 SIGN_VERIFY key (id, ARN or alias). Also the JWT `kid`. Every API
   * function has it (depsFromEnv requires it); absent only for a job that handles no tokens (the
   * audit job), where the token methods fail with ServiceUnavailable without calling KMS.
   */
  signingKeyId?: string | undefined;
  /**
   * HMAC_256 GENERATE_VERIFY_MAC key. Absent for functions not granted it (least
   * privilege): `mac` then fails with ServiceUnavailable instead of calling KMS.
   */
  macKeyId?: string | undefined;
  /** SYMMETRIC_DEFAULT ENCRYPT_DECRYPT key; absent where not granted, like `macKeyId`. */
  dataKeyId?: string | undefined;
  /** ECC_NIST_P256 SIGN_VERIFY key for audit checkpoints only; absent where not granted. */
  auditKeyId?: string | undefined;
}

/** A key this function was not given: a wiring fault, never a reason to call KMS with no key. */
function configured(keyId: string | undefined): string {
  if (keyId === undefined) throw new ServiceUnavailable('This function is not configured to use that key.');
  return keyId;
}

/** KMS errors that mean "this blob does not open under this key and context". */
const DECRYPTION_FAILURES: ReadonlySet<string> = new Set(['InvalidCiphertextException', 'IncorrectKeyException']);

/**
 * `KeyService` on AWS KMS. Every SDK failure becomes a `CofferError`: `DecryptionFailed`
 * for ciphertext/key mismatches on Decrypt, `ServiceUnavailable` for everything else.
 * SDK messages (which name ARNs, accounts and request ids) never propagate.
 */
export class KmsKeyService implements KeyService {
  readonly #client: KMSClient;
  readonly #signingKeyId: string | undefined;
  readonly #macKeyId: string | undefined;
  readonly #dataKeyId: string | undefined;
  readonly #auditKeyId: string | undefined;
  #publicKey: Promise<Uint8Array> | undefined;
  #auditPublicKey: Promise<Uint8Array> | undefined;

  constructor({ client, signingKeyId, macKeyId, dataKeyId, auditKeyId }: KmsKeyServiceOptions) {
    for (const [name, value] of Object.entries({ signingKeyId, macKeyId, dataKeyId, auditKeyId })) {
      if (value !== undefined && (typeof value !== 'string' || value === '')) {
        throw new TypeError(`${name} must be a non-empty string when given`);
      }
    }
    this.#client = client;
    this.#signingKeyId = signingKeyId;
    this.#macKeyId = macKeyId;
    this.#dataKeyId = dataKeyId;
    this.#auditKeyId = auditKeyId;
  }

  signingKeyId(): string {
    return configured(this.#signingKeyId);
  }

  async sign(message: Uint8Array): Promise<Uint8Array> {
    return this.#signWith(configured(this.#signingKeyId), message);
  }

  async signAuditCheckpoint(message: Uint8Array): Promise<Uint8Array> {
    assertMessage('message', message);
    return this.#signWith(configured(this.#auditKeyId), message);
  }

  async #signWith(keyId: string, message: Uint8Array): Promise<Uint8Array> {
    assertMessage('message', message);
    const command = new SignCommand({
      KeyId: keyId,
      Message: message,
      MessageType: 'RAW',
      SigningAlgorithm: 'ECDSA_SHA_256',
    });
    const { Signature } = await translateErrors(() => this.#client.send(command));
    if (!(Signature instanceof Uint8Array)) throw new ServiceUnavailable();
    try {
      return derToJoseSignature(Signature);
    } catch {
      throw new ServiceUnavailable();
    }
  }

  async signingPublicKey(): Promise<Uint8Array> {
    // Cache the promise, not the value, so concurrent first callers share one request;
    // forget a failure so the next call retries.
    const keyId = configured(this.#signingKeyId);
    this.#publicKey ??= this.#fetchPublicKey(keyId).catch((error: unknown) => {
      this.#publicKey = undefined;
      throw error;
    });
    return this.#publicKey.then((spki) => spki.slice());
  }

  async auditCheckpointPublicKey(): Promise<Uint8Array> {
    // Cached like signingPublicKey; a function not granted the key fails without calling KMS.
    const keyId = configured(this.#auditKeyId);
    this.#auditPublicKey ??= this.#fetchPublicKey(keyId).catch((error: unknown) => {
      this.#auditPublicKey = undefined;
      throw error;
    });
    return this.#auditPublicKey.then((spki) => spki.slice());
  }

  async #fetchPublicKey(keyId: string): Promise<Uint8Array> {
    const command = new GetPublicKeyCommand({ KeyId: keyId });
    const { PublicKey, KeySpec, KeyUsage } = await translateErrors(() => this.#client.send(command));
    // A key of the wrong type would make every signature unverifiable: fail here, not later.
    if (!(PublicKey instanceof Uint8Array) || KeySpec !== 'ECC_NIST_P256' || KeyUsage !== 'SIGN_VERIFY') {
      throw new ServiceUnavailable();
    }
    return PublicKey.slice();
  }

  async mac(message: Uint8Array): Promise<Uint8Array> {
    assertMessage('message', message);
    const command = new GenerateMacCommand({ KeyId: configured(this.#macKeyId), Message: message, MacAlgorithm: 'HMAC_SHA_256' });
    const { Mac } = await translateErrors(() => this.#client.send(command));
    if (!(Mac instanceof Uint8Array) || Mac.length !== MAC_BYTES) throw new ServiceUnavailable();
    return Mac;
  }

  async encrypt(plaintext: Uint8Array, context: EncryptionContext): Promise<Uint8Array> {
    assertMessage('plaintext', plaintext);
    assertContext(context);
    const command = new EncryptCommand({
      KeyId: configured(this.#dataKeyId),
      Plaintext: plaintext,
      EncryptionContext: { ...context },
      EncryptionAlgorithm: 'SYMMETRIC_DEFAULT',
    });
    const { CiphertextBlob } = await translateErrors(() => this.#client.send(command));
    if (!(CiphertextBlob instanceof Uint8Array)) throw new ServiceUnavailable();
    return CiphertextBlob;
  }

  async decrypt(blob: Uint8Array, context: EncryptionContext): Promise<Uint8Array> {
    if (!(blob instanceof Uint8Array) || blob.length === 0) throw new DecryptionFailed();
    assertContext(context);
    const command = new DecryptCommand({
      // Naming the key makes KMS refuse blobs made under any other key (IncorrectKeyException).
      KeyId: configured(this.#dataKeyId),
      CiphertextBlob: blob,
      EncryptionContext: { ...context },
      EncryptionAlgorithm: 'SYMMETRIC_DEFAULT',
    });
    const { Plaintext } = await translateErrors(() => this.#client.send(command), DECRYPTION_FAILURES);
    if (!(Plaintext instanceof Uint8Array)) throw new ServiceUnavailable();
    return Plaintext;
  }
}

/** The one place SDK errors are translated. The SDK error (and its message) is dropped. */
async function translateErrors<Output>(
  request: () => Promise<Output>,
  decryptionFailures?: ReadonlySet<string>,
): Promise<Output> {
  try {
    return await request();
  } catch (error) {
    const name = error instanceof Error ? error.name : '';
    if (decryptionFailures?.has(name)) throw new DecryptionFailed();
    throw new ServiceUnavailable();
  }
}

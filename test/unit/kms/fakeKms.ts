/**
 * An aws-sdk-client-mock KMS whose handlers do real cryptography, with KMS's observable
 * behaviour: DER ECDSA signatures, HMAC-SHA-256, and randomized AES-GCM ciphertexts bound to
 * the key and the EncryptionContext (InvalidCiphertextException / IncorrectKeyException).
 * Lets the shared contract test check the AWS adapter for real, not against canned bytes.
 */
import {
  createCipheriv,
  createDecipheriv,
  createHash,
  createHmac,
  generateKeyPairSync,
  type KeyObject,
  randomBytes,
  sign as nodeSign,
} from 'node:crypto';
import {
  DecryptCommand,
  EncryptCommand,
  GenerateMacCommand,
  GetPublicKeyCommand,
  IncorrectKeyException,
  InvalidCiphertextException,
  KMSClient,
  NotFoundException,
  SignCommand,
} from '@aws-sdk/client-kms';
import { mockClient } from 'aws-sdk-client-mock';
import { KmsKeyService } from '../../../shared/server/adapters/aws/KmsKeyService.js';

/** Planted in every fake SDK error message: it must never reach a Coffer error. */
export const SDK_SECRET = 'arn:aws:kms:eu-west-1:123456789012:key/leaky-request-id-7f3a';

const KEY_TAG_BYTES = 8;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;

export interface FakeKmsIds {
  signingKeyId: string;
  macKeyId: string;
  dataKeyId: string;
  auditKeyId: string;
}

export const DEFAULT_IDS: FakeKmsIds = {
  signingKeyId: 'arn:aws:kms:eu-west-1:111122223333:key/sign-0001',
  macKeyId: 'arn:aws:kms:eu-west-1:111122223333:key/mac-0001',
  dataKeyId: 'arn:aws:kms:eu-west-1:111122223333:key/data-0001',
  auditKeyId: 'arn:aws:kms:eu-west-1:111122223333:key/audit-0001',
};

function keyTag(keyId: string): Buffer {
  return createHash('sha256').update(keyId).digest().subarray(0, KEY_TAG_BYTES);
}

function contextAad(context: Record<string, string> | undefined): Buffer {
  const pairs = Object.entries(context ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return Buffer.from(JSON.stringify(pairs));
}

const metadata = { $metadata: {} };
const invalidCiphertext = () => new InvalidCiphertextException({ message: `bad ciphertext for ${SDK_SECRET}`, ...metadata });
const notFound = (id: unknown) => new NotFoundException({ message: `Key '${String(id)}' does not exist (${SDK_SECRET})`, ...metadata });

export function createFakeKms(ids: FakeKmsIds = DEFAULT_IDS) {
  const client = new KMSClient({
    region: 'eu-west-1',
    credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'not-a-secret' },
  });
  const mock = mockClient(client);
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const macKey = randomBytes(32);
  const dataKey = randomBytes(32);
  const signingKey: KeyObject = privateKey;
  const audit = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  /** The asymmetric keys by id: the token key and the audit checkpoint key. */
  const signers = new Map<string | undefined, { privateKey: KeyObject; publicKey: KeyObject }>([
    [ids.signingKeyId, { privateKey, publicKey }],
    [ids.auditKeyId, audit],
  ]);

  mock.on(GetPublicKeyCommand).callsFake((input: { KeyId?: string }) => {
    const signer = signers.get(input.KeyId);
    if (!signer) throw notFound(input.KeyId);
    return {
      KeyId: input.KeyId,
      PublicKey: new Uint8Array(signer.publicKey.export({ format: 'der', type: 'spki' })),
      KeySpec: 'ECC_NIST_P256',
      KeyUsage: 'SIGN_VERIFY',
      SigningAlgorithms: ['ECDSA_SHA_256'],
    };
  });

  mock.on(SignCommand).callsFake((input: { KeyId?: string; Message?: Uint8Array; MessageType?: string; SigningAlgorithm?: string }) => {
    const signer = signers.get(input.KeyId);
    if (!signer) throw notFound(input.KeyId);
    if (input.MessageType !== 'RAW' || input.SigningAlgorithm !== 'ECDSA_SHA_256' || !input.Message) {
      throw new Error(`ValidationException (${SDK_SECRET})`);
    }
    // KMS returns DER (node's default dsaEncoding), like the real service.
    return { KeyId: input.KeyId, Signature: new Uint8Array(nodeSign('sha256', input.Message, signer.privateKey)), SigningAlgorithm: 'ECDSA_SHA_256' };
  });

  mock.on(GenerateMacCommand).callsFake((input: { KeyId?: string; Message?: Uint8Array; MacAlgorithm?: string }) => {
    if (input.KeyId !== ids.macKeyId) throw notFound(input.KeyId);
    if (input.MacAlgorithm !== 'HMAC_SHA_256' || !input.Message) throw new Error(`ValidationException (${SDK_SECRET})`);
    return { KeyId: ids.macKeyId, MacAlgorithm: 'HMAC_SHA_256', Mac: new Uint8Array(createHmac('sha256', macKey).update(input.Message).digest()) };
  });

  mock.on(EncryptCommand).callsFake((input: { KeyId?: string; Plaintext?: Uint8Array; EncryptionContext?: Record<string, string> }) => {
    if (input.KeyId !== ids.dataKeyId) throw notFound(input.KeyId);
    const nonce = randomBytes(NONCE_BYTES);
    const cipher = createCipheriv('aes-256-gcm', dataKey, nonce);
    cipher.setAAD(contextAad(input.EncryptionContext));
    const body = Buffer.concat([cipher.update(input.Plaintext ?? new Uint8Array()), cipher.final(), cipher.getAuthTag()]);
    return {
      KeyId: ids.dataKeyId,
      EncryptionAlgorithm: 'SYMMETRIC_DEFAULT',
      CiphertextBlob: new Uint8Array(Buffer.concat([keyTag(ids.dataKeyId), nonce, body])),
    };
  });

  mock.on(DecryptCommand).callsFake((input: { KeyId?: string; CiphertextBlob?: Uint8Array; EncryptionContext?: Record<string, string> }) => {
    const blob = Buffer.from(input.CiphertextBlob ?? new Uint8Array());
    if (blob.length < KEY_TAG_BYTES + NONCE_BYTES + TAG_BYTES) throw invalidCiphertext();
    const tag = blob.subarray(0, KEY_TAG_BYTES);
    if (input.KeyId !== undefined && !tag.equals(keyTag(input.KeyId))) {
      throw new IncorrectKeyException({ message: `wrong key ${SDK_SECRET}`, ...metadata });
    }
    if (!tag.equals(keyTag(ids.dataKeyId))) throw invalidCiphertext();
    const nonce = blob.subarray(KEY_TAG_BYTES, KEY_TAG_BYTES + NONCE_BYTES);
    const decipher = createDecipheriv('aes-256-gcm', dataKey, nonce);
    decipher.setAAD(contextAad(input.EncryptionContext));
    decipher.setAuthTag(blob.subarray(blob.length - TAG_BYTES));
    try {
      const plaintext = Buffer.concat([decipher.update(blob.subarray(KEY_TAG_BYTES + NONCE_BYTES, blob.length - TAG_BYTES)), decipher.final()]);
      return { KeyId: ids.dataKeyId, EncryptionAlgorithm: 'SYMMETRIC_DEFAULT', Plaintext: new Uint8Array(plaintext) };
    } catch {
      throw invalidCiphertext();
    }
  });

  const service = new KmsKeyService({ client, ...ids });
  return { client, mock, service, ids, signingKey, publicKey, auditKey: audit.privateKey, auditPublicKey: audit.publicKey };
}

import {
  createCipheriv,
  createDecipheriv,
  createHash,
  createECDH,
  createHmac,
  createPrivateKey,
  createPublicKey,
  createSecretKey,
  generateKeyPairSync,
  hkdfSync,
  type KeyObject,
  randomBytes,
  sign as ecdsaSign,
} from 'node:crypto';
import { constants, type FileHandle, link, mkdir, open, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import { z } from 'zod';
import { DecryptionFailed, ServiceUnavailable } from '../../../core/errors/index.js';
import {
  assertContext,
  assertMessage,
  type EncryptionContext,
  type KeyService,
} from '../../ports/KeyService.js';

/**
 * `KeyService` for `npm start` and tests: the same contract as AWS KMS, on node:crypto, with
 * its keys in a JSON keyring file that only the owner may read (mode 0600).
 *
 * Blob format (version 1): 0x01 || nonce (12 bytes) || AES-256-GCM ciphertext || tag (16 bytes),
 * AAD = canonical JSON of the context (see `contextAad`). Random 96-bit nonces are safe here:
 * a local keyring encrypts far fewer than 2^32 messages.
 */

const BLOB_VERSION = 0x01;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;
const SYMMETRIC_KEY_BYTES = 32;

/** Group and other permission bits: any of them set means the keyring may have leaked. */
const GROUP_OTHER_BITS = 0o077;

const base64 = z.base64();
const keyringFile = z.strictObject({
  version: z.literal(1),
  /** P-256 private key, PKCS#8 DER, base64. */
  signingKey: base64,
  /** HMAC-SHA-256 key, 32 bytes, base64. */
  macKey: base64,
  /** AES-256-GCM key, 32 bytes, base64. */
  dataKey: base64,
});
type KeyringFile = z.infer<typeof keyringFile>;

interface Keys {
  signingKey: KeyObject;
  macKey: KeyObject;
  dataKey: KeyObject;
  auditKey: KeyObject;
}

/** The order of P-256: a private scalar must be in [1, n - 1]. */
const P256_ORDER = BigInt('0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551');
const AUDIT_KEY_INFO = 'coffer/local/audit-checkpoint-key/v1';

/**
 * The audit checkpoint key: a P-256 key derived from the MAC key (HKDF-SHA-256, its own info
 * label; a candidate outside [1, n - 1], probability about 2^-32, moves to the next counter).
 * Derived rather than stored, so existing keyrings need no migration; locally one file holds
 * every key anyway, so a stored key would separate nothing more. It is still a key of its own:
 * nothing else signs with it, and no token key can make a checkpoint signature.
 */
function deriveAuditKey(macKey: Buffer): KeyObject {
  for (let counter = 0; ; counter++) {
    const d = Buffer.from(hkdfSync('sha256', macKey, Buffer.alloc(0), `${AUDIT_KEY_INFO}\0${counter}`, 32));
    const scalar = BigInt(`0x${d.toString('hex')}`);
    if (scalar === 0n || scalar >= P256_ORDER) continue;
    const ecdh = createECDH('prime256v1');
    ecdh.setPrivateKey(d);
    const point = ecdh.getPublicKey(); // 0x04 || x || y
    return createPrivateKey({
      key: { kty: 'EC', crv: 'P-256', d: d.toString('base64url'), x: point.subarray(1, 33).toString('base64url'), y: point.subarray(33).toString('base64url') },
      format: 'jwk',
    });
  }
}

export class LocalKeyringKeyService implements KeyService {
  readonly #keys: Keys;
  readonly #publicKeySpki: Uint8Array;
  readonly #auditPublicKeySpki: Uint8Array;
  readonly #keyId: string;

  private constructor(keys: Keys) {
    this.#keys = keys;
    this.#publicKeySpki = new Uint8Array(createPublicKey(keys.signingKey).export({ format: 'der', type: 'spki' }));
    this.#auditPublicKeySpki = new Uint8Array(createPublicKey(keys.auditKey).export({ format: 'der', type: 'spki' }));
    // Derived from the key itself, so it is stable across restarts and changes with the key.
    this.#keyId = `local-${createHash('sha256').update(this.#publicKeySpki).digest('hex').slice(0, 32)}`;
  }

  /**
   * Opens the keyring at `path`, creating it (mode 0600) with fresh keys if it does not exist.
   * Refuses a keyring that group or others may access: keys that may have leaked are not keys.
   */
  static async open(path: string): Promise<LocalKeyringKeyService> {
    const existing = await readKeyring(path);
    if (existing) return new LocalKeyringKeyService(existing);
    return new LocalKeyringKeyService(await createKeyring(path));
  }

  /** Fresh keys that live and die with the process (tests). */
  static inMemory(): LocalKeyringKeyService {
    return new LocalKeyringKeyService(parseKeyring(generateKeyring(), '(in memory)'));
  }

  signingKeyId(): string {
    return this.#keyId;
  }

  async signingPublicKey(): Promise<Uint8Array> {
    return this.#publicKeySpki.slice();
  }

  async sign(message: Uint8Array): Promise<Uint8Array> {
    assertMessage('message', message);
    // ieee-p1363 is the JOSE form (r || s, fixed width): no DER to convert.
    return new Uint8Array(ecdsaSign('sha256', message, { key: this.#keys.signingKey, dsaEncoding: 'ieee-p1363' }));
  }

  async signAuditCheckpoint(message: Uint8Array): Promise<Uint8Array> {
    assertMessage('message', message);
    return new Uint8Array(ecdsaSign('sha256', message, { key: this.#keys.auditKey, dsaEncoding: 'ieee-p1363' }));
  }

  async auditCheckpointPublicKey(): Promise<Uint8Array> {
    return this.#auditPublicKeySpki.slice();
  }

  async mac(message: Uint8Array): Promise<Uint8Array> {
    assertMessage('message', message);
    return new Uint8Array(createHmac('sha256', this.#keys.macKey).update(message).digest());
  }

  async encrypt(plaintext: Uint8Array, context: EncryptionContext): Promise<Uint8Array> {
    assertMessage('plaintext', plaintext);
    assertContext(context);
    const nonce = randomBytes(NONCE_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.#keys.dataKey, nonce, { authTagLength: TAG_BYTES });
    cipher.setAAD(contextAad(context));
    const body = Buffer.concat([cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
    const blob = new Uint8Array(1 + NONCE_BYTES + body.length);
    blob[0] = BLOB_VERSION;
    blob.set(nonce, 1);
    blob.set(body, 1 + NONCE_BYTES);
    return blob;
  }

  async decrypt(blob: Uint8Array, context: EncryptionContext): Promise<Uint8Array> {
    // Lengths and version are checked before any decryption.
    if (!(blob instanceof Uint8Array) || blob.length < 1 + NONCE_BYTES + TAG_BYTES || blob[0] !== BLOB_VERSION) {
      throw new DecryptionFailed();
    }
    assertContext(context);
    const nonce = blob.subarray(1, 1 + NONCE_BYTES);
    const ciphertext = blob.subarray(1 + NONCE_BYTES, blob.length - TAG_BYTES);
    const tag = blob.subarray(blob.length - TAG_BYTES);
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.#keys.dataKey, nonce, { authTagLength: TAG_BYTES });
      decipher.setAAD(contextAad(context));
      decipher.setAuthTag(tag);
      return new Uint8Array(Buffer.concat([decipher.update(ciphertext), decipher.final()]));
    } catch {
      throw new DecryptionFailed();
    }
  }
}

/**
 * Canonical JSON of the context: an array of [key, value] pairs sorted by key (UTF-16 code
 * unit order). Pairs rather than an object because JS objects reorder integer-like keys.
 * Like KMS, the context is bound in full: any added, missing or changed pair fails.
 */
export function contextAad(context: EncryptionContext): Buffer {
  const pairs = Object.entries(context).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return Buffer.from(JSON.stringify(pairs), 'utf8');
}

function generateKeyring(): KeyringFile {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return {
    version: 1,
    signingKey: privateKey.export({ format: 'der', type: 'pkcs8' }).toString('base64'),
    macKey: randomBytes(SYMMETRIC_KEY_BYTES).toString('base64'),
    dataKey: randomBytes(SYMMETRIC_KEY_BYTES).toString('base64'),
  };
}

function parseKeyring(value: unknown, path: string): Keys {
  const invalid = () =>
    new ServiceUnavailable(
      `The keyring ${path} is not a valid Coffer keyring: restore it from a backup ` +
        '(deleting it makes everything encrypted under it unreadable).',
    );
  const parsed = keyringFile.safeParse(value);
  if (!parsed.success) throw invalid();
  const macKey = Buffer.from(parsed.data.macKey, 'base64');
  const dataKey = Buffer.from(parsed.data.dataKey, 'base64');
  if (macKey.length !== SYMMETRIC_KEY_BYTES || dataKey.length !== SYMMETRIC_KEY_BYTES) throw invalid();
  let signingKey: KeyObject;
  try {
    signingKey = createPrivateKey({ key: Buffer.from(parsed.data.signingKey, 'base64'), format: 'der', type: 'pkcs8' });
  } catch {
    throw invalid();
  }
  if (signingKey.asymmetricKeyType !== 'ec' || signingKey.asymmetricKeyDetails?.namedCurve !== 'prime256v1') {
    throw invalid();
  }
  return { signingKey, macKey: createSecretKey(macKey), dataKey: createSecretKey(dataKey), auditKey: deriveAuditKey(macKey) };
}

/** The keyring at `path`, or undefined if there is none. */
async function readKeyring(path: string): Promise<Keys | undefined> {
  let handle: FileHandle;
  try {
    // O_NOFOLLOW: a symlink could point the check below at one file and the read at another.
    handle = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new ServiceUnavailable(`The keyring ${path} cannot be opened: check that it is a regular file you own.`);
  }
  try {
    // fstat on the open handle, not stat on the path: no window to swap the file. Do not remove.
    const stats = await handle.stat();
    if (!stats.isFile()) throw new ServiceUnavailable(`The keyring ${path} is not a regular file.`);
    if ((stats.mode & GROUP_OTHER_BITS) !== 0) {
      throw new ServiceUnavailable(
        `The keyring ${path} is accessible to group or others (mode ${(stats.mode & 0o777).toString(8)}): ` +
          `run \`chmod 600 ${path}\`, and rotate the keys if anyone else may have read it.`,
      );
    }
    const text = await handle.readFile('utf8');
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    return parseKeyring(json, path);
  } finally {
    await handle.close();
  }
}

/**
 * Writes fresh keys to a private temporary file and links it into place, so readers see
 * either no keyring or a complete one, and a concurrent creator never overwrites ours
 * (the loser of the race reads the winner's keyring).
 */
async function createKeyring(path: string): Promise<Keys> {
  const content = generateKeyring();
  const keys = parseKeyring(content, path);
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const temporary = `${path}.${randomBytes(8).toString('hex')}.tmp`;
  const handle = await open(temporary, 'wx', 0o600);
  try {
    await handle.chmod(0o600); // the umask may only remove bits, but be explicit
    await handle.writeFile(`${JSON.stringify(content, null, 2)}\n`, 'utf8');
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await link(temporary, path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    const winner = await readKeyring(path);
    if (!winner) throw error;
    return winner;
  } finally {
    await unlink(temporary);
  }
  return keys;
}

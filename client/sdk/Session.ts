/**
 * What a logged-in client holds. `privateKeyPkcs8` is the user's unsealed RSA private
 * key (base64url PKCS#8): whoever reads a stored session can read the user's documents
 * until the key is rotated, so stores must keep it private (the Node file store writes
 * mode 0600) and `logout` must erase it.
 */
export interface Session {
  /** Base URL of the server the tokens belong to. */
  serverUrl: string;
  userId: string;
  accessToken: string;
  /** ISO 8601. */
  accessExpiresAt: string;
  refreshToken: string;
  /** ISO 8601. */
  refreshExpiresAt: string;
  /** base64url PKCS#8 DER; empty when the key is held as `privateKey` instead. */
  privateKeyPkcs8: string;
  /**
   * The private key as a non-extractable CryptoKey, when the bytes are not held at all (a web
   * browser's remembered device, CofferClient.resume). Never written by the file store.
   */
  privateKey?: CryptoKey;
  /** base64url SPKI DER of the user's own public key, proven to match the private key at login. */
  publicKeySpki: string;
  /** SHA-256 of `publicKeySpki`, lower-case hex. */
  fingerprint: string;
  /** A cookie session whose cookie outlives the browser session ("remember this device"); each refresh asks to keep it so. */
  keepCookie?: boolean;
}

/** Where sessions live between runs: a file for the CLI, memory or IndexedDB in a browser. */
export interface SessionStore {
  load(): Promise<Session | undefined>;
  save(session: Session): Promise<void>;
  clear(): Promise<void>;
}

export class MemorySessionStore implements SessionStore {
  private session: Session | undefined;

  constructor(initial?: Session) {
    this.session = initial ? { ...initial } : undefined;
  }

  async load(): Promise<Session | undefined> {
    return this.session ? { ...this.session } : undefined;
  }

  async save(session: Session): Promise<void> {
    this.session = { ...session };
  }

  async clear(): Promise<void> {
    this.session = undefined;
  }
}

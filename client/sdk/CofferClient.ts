import { fromBase64Url, importPrivateKey } from '../../shared/crypto/index.js';
import type { LookupUsersResponse, OwnProfile } from '../../shared/schemas/users.js';
import { ApiClient, type FetchLike } from './ApiClient.js';
import type { ByteSource } from './byteStreams.js';
import type { ClientContext, Tuning } from './ClientContext.js';
import { download, type DownloadOptions, type DownloadResult } from './download.js';
import { MemoryKeyPinStore, type KeyPinStore } from './KeyPinStore.js';
import { listAll, listPage, type DocumentEntry, type DocumentPage, type ListOptions } from './listDocuments.js';
import { login } from './login.js';
import { documentPath } from './paths.js';
import { Recipients, type TrustResult } from './Recipients.js';
import { register, type RegisterOptions } from './register.js';
import { MemorySessionStore, type Session, type SessionStore } from './Session.js';
import { SessionKeeper, type RefreshedTokens } from './SessionKeeper.js';
import { revoke, share, type RevokeResult, type ShareOptions, type ShareResult } from './share.js';
import { upload, type UploadOptions, type UploadResult } from './upload.js';

export interface CofferClientOptions {
  /** API base URL, e.g. http://127.0.0.1:4566. */
  serverUrl: string;
  /** Where the session persists (default: memory only). */
  sessionStore?: SessionStore;
  /** Key pins for this server (default: memory only, so pins last as long as the client). */
  pinStore?: KeyPinStore;
  fetch?: FetchLike;
  tuning?: Partial<Tuning>;
}

const MiB = 1024 * 1024;

/**
 * The Coffer SDK: every operation a user performs, with all cryptography on this side.
 * Runs wherever fetch and WebCrypto do (Node 20, browsers).
 */
export class CofferClient {
  readonly api: ApiClient;
  private readonly keeper: SessionKeeper;
  private readonly recipients: Recipients;
  private readonly ctx: ClientContext;
  private privateKeyCache: { pkcs8: string; key: Promise<CryptoKey> } | undefined;

  constructor(options: CofferClientOptions) {
    const fetchImpl: FetchLike = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
    this.api = new ApiClient({ baseUrl: options.serverUrl, fetch: fetchImpl });
    this.keeper = new SessionKeeper(options.sessionStore ?? new MemorySessionStore(), (refreshToken) =>
      this.api.post<RefreshedTokens>('/auth/refresh', { refreshToken }, { auth: false }),
    );
    this.api.useTokens(this.keeper);
    this.recipients = new Recipients(this.api, options.pinStore ?? new MemoryKeyPinStore());
    this.ctx = {
      api: this.api,
      keeper: this.keeper,
      recipients: this.recipients,
      fetch: fetchImpl,
      privateKey: () => this.privateKey(),
      tuning: {
        partConcurrency: 4,
        listConcurrency: 8,
        streamSingleUploads: isNode(),
        bufferSingleUploadsUpTo: 16 * MiB,
        allowWeakKdf: false,
        ...options.tuning,
      },
    };
  }

  // --- account ---------------------------------------------------------------

  /** Creates the account (key pair, sealed private key) and logs in. */
  register(options: RegisterOptions): Promise<OwnProfile> {
    return register(this.ctx, options);
  }

  /** Throws INVALID_CREDENTIALS for a wrong user id or passphrase. */
  login(userId: string, passphrase: string): Promise<OwnProfile> {
    return login(this.ctx, userId, passphrase);
  }

  /** Revokes the refresh-token family on the server (best effort) and always erases the local session. */
  async logout(): Promise<{ userId?: string; serverRevoked: boolean }> {
    const session = await this.keeper.peek();
    if (!session) return { serverRevoked: false };
    let serverRevoked = true;
    try {
      await this.keeper.accessToken(); // refresh first if due, so the refresh token sent is the live one
      const { refreshToken } = await this.keeper.current();
      await this.api.post<unknown>('/auth/logout', { refreshToken });
    } catch {
      serverRevoked = false;
    } finally {
      await this.keeper.end();
      this.privateKeyCache = undefined;
    }
    return { userId: session.userId, serverRevoked };
  }

  /** The stored session, without contacting the server. */
  session(): Promise<Session | undefined> {
    return this.keeper.peek();
  }

  whoami(): Promise<OwnProfile> {
    return this.api.get<OwnProfile>('/users/me');
  }

  // --- users and keys ------------------------------------------------------------

  /** Public profiles and fingerprints; unknown ids are listed, not thrown. */
  lookupUsers(userIds: readonly string[]): Promise<LookupUsersResponse> {
    return this.recipients.lookup(userIds);
  }

  /** Accepts a user's current public key after a KEY_CHANGED, once its fingerprint was checked out of band. */
  trustNewKey(userId: string): Promise<TrustResult> {
    return this.recipients.trust(userId);
  }

  // --- documents ---------------------------------------------------------------

  upload(source: ByteSource, options: UploadOptions): Promise<UploadResult> {
    return upload(this.ctx, source, options);
  }

  list(options: ListOptions = {}): Promise<DocumentPage> {
    return listPage(this.ctx, options);
  }

  /** Every accessible document across all pages. */
  listAll(pageSize?: number): AsyncGenerator<DocumentEntry, void, undefined> {
    return listAll(this.ctx, pageSize);
  }

  download(documentId: string, options: DownloadOptions = {}): Promise<DownloadResult> {
    return download(this.ctx, documentId, options);
  }

  share(documentId: string, userIds: readonly string[], options: ShareOptions = {}): Promise<ShareResult> {
    return share(this.ctx, documentId, userIds, options);
  }

  revoke(documentId: string, userIds: readonly string[]): Promise<RevokeResult> {
    return revoke(this.ctx, documentId, userIds);
  }

  async remove(documentId: string): Promise<void> {
    await this.api.delete<unknown>(documentPath(documentId));
  }

  private async privateKey(): Promise<CryptoKey> {
    const { privateKeyPkcs8 } = await this.keeper.current();
    if (this.privateKeyCache?.pkcs8 !== privateKeyPkcs8) {
      this.privateKeyCache = { pkcs8: privateKeyPkcs8, key: importPrivateKey(fromBase64Url(privateKeyPkcs8)) };
    }
    return this.privateKeyCache.key;
  }
}

function isNode(): boolean {
  const proc = (globalThis as { process?: { versions?: { node?: string } } }).process;
  return typeof proc?.versions?.node === 'string';
}

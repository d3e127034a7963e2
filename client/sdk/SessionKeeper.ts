import type { TokenProvider } from './ApiClient.js';
import { CofferApiError, NotLoggedInError, SessionExpiredError } from './errors.js';
import type { Session, SessionStore } from './Session.js';

/** What POST /auth/refresh answers (the token fields of TokenResponse). */
export interface RefreshedTokens {
  accessToken: string;
  expiresAt: string;
  refreshToken: string;
  refreshExpiresAt: string;
}

export type Refresher = (refreshToken: string) => Promise<RefreshedTokens>;

/** Refresh this long before the access token's stated expiry, to absorb clock skew and latency. */
const EXPIRY_MARGIN_MS = 10_000;

/**
 * Owns the current session: loads it from the store, hands out access tokens and
 * refreshes them. Refresh tokens rotate and the server revokes the whole family when
 * one is used twice, so refreshing is single-flight, and the store is re-read first in
 * case another process (a second CLI command) has already rotated it.
 */
export class SessionKeeper implements TokenProvider {
  private session: Session | undefined;
  private loaded = false;
  private refreshing: Promise<Session> | undefined;

  constructor(
    private readonly store: SessionStore,
    private readonly refresher: Refresher,
    private readonly now: () => number = Date.now,
  ) {}

  /** The session, or undefined when logged out. */
  async peek(): Promise<Session | undefined> {
    if (!this.loaded) {
      this.session = await this.store.load();
      this.loaded = true;
    }
    return this.session;
  }

  /** The session; throws NOT_LOGGED_IN without one. */
  async current(): Promise<Session> {
    const session = await this.peek();
    if (!session) throw new NotLoggedInError();
    return session;
  }

  async start(session: Session): Promise<void> {
    await this.store.save(session);
    this.session = session;
    this.loaded = true;
  }

  async end(): Promise<void> {
    await this.store.clear();
    this.session = undefined;
    this.loaded = true;
  }

  async accessToken(): Promise<string> {
    const session = await this.current();
    if (this.isFresh(session)) return session.accessToken;
    return (await this.refresh(session.accessToken)).accessToken;
  }

  async refreshAfterExpiry(rejected: string): Promise<string> {
    return (await this.refresh(rejected)).accessToken;
  }

  private isFresh(session: Session): boolean {
    return Date.parse(session.accessExpiresAt) - EXPIRY_MARGIN_MS > this.now();
  }

  private refresh(rejected: string): Promise<Session> {
    this.refreshing ??= this.rotate(rejected).finally(() => {
      this.refreshing = undefined;
    });
    return this.refreshing;
  }

  private async rotate(rejected: string): Promise<Session> {
    // Another process may have rotated the tokens since we loaded them.
    const stored = await this.store.load();
    if (!stored) throw new NotLoggedInError();
    if (stored.accessToken !== rejected && this.isFresh(stored)) {
      this.session = stored;
      return stored;
    }
    if (Date.parse(stored.refreshExpiresAt) <= this.now()) throw new SessionExpiredError(stored.userId);
    let tokens: RefreshedTokens;
    try {
      tokens = await this.refresher(stored.refreshToken);
    } catch (error) {
      if (error instanceof CofferApiError && (error.status === 401 || error.status === 400)) {
        throw new SessionExpiredError(stored.userId);
      }
      throw error;
    }
    const next: Session = {
      ...stored,
      accessToken: tokens.accessToken,
      accessExpiresAt: tokens.expiresAt,
      refreshToken: tokens.refreshToken,
      refreshExpiresAt: tokens.refreshExpiresAt,
    };
    await this.start(next);
    return next;
  }
}

import { describe, expect, it } from 'vitest';
import { ApiClient, type FetchLike } from '../../../client/sdk/ApiClient.js';
import { CofferApiError } from '../../../client/sdk/errors.js';
import { MemorySessionStore, type Session } from '../../../client/sdk/Session.js';
import { SessionKeeper, type RefreshedTokens } from '../../../client/sdk/SessionKeeper.js';
import { caught } from './support/clients.js';
import { error } from './support/FakeCoffer.js';

const HOUR = 3_600_000;

function session(overrides: Partial<Session> = {}): Session {
  return {
    serverUrl: 'http://x',
    userId: 'alice',
    accessToken: 'access-1',
    accessExpiresAt: new Date(Date.now() + HOUR).toISOString(),
    refreshToken: 'refresh-1',
    refreshExpiresAt: new Date(Date.now() + 24 * HOUR).toISOString(),
    privateKeyPkcs8: 'AA',
    publicKeySpki: 'AA',
    fingerprint: '00',
    ...overrides,
  };
}

/** A server accepting only `valid` access tokens; every other one is expired. */
function setup(initial: Session, options: { refresh?: (token: string) => Promise<RefreshedTokens> } = {}) {
  const store = new MemorySessionStore(initial);
  const valid = new Set<string>();
  const seen: string[] = [];
  const refreshed: string[] = [];
  let n = 1;
  const fetch: FetchLike = async (_url, init) => {
    const token = (init?.headers as Record<string, string>).authorization?.slice(7) ?? '';
    seen.push(token);
    await new Promise((r) => setTimeout(r, 1));
    if (!valid.has(token)) return error(401, 'TOKEN_EXPIRED', 'The access token has expired.');
    return Response.json({ userId: 'alice' });
  };
  const api = new ApiClient({ baseUrl: 'http://x', fetch });
  const refresh =
    options.refresh ??
    (async (refreshToken: string) => {
      refreshed.push(refreshToken);
      await new Promise((r) => setTimeout(r, 5));
      n++;
      valid.add(`access-${n}`);
      return {
        accessToken: `access-${n}`,
        expiresAt: new Date(Date.now() + HOUR).toISOString(),
        refreshToken: `refresh-${n}`,
        refreshExpiresAt: new Date(Date.now() + 24 * HOUR).toISOString(),
      };
    });
  const keeper = new SessionKeeper(store, refresh);
  api.useTokens(keeper);
  return { api, store, valid, seen, refreshed, keeper };
}

describe('token refresh', () => {
  it('refreshes once on TOKEN_EXPIRED, retries with the new token and persists the rotation', async () => {
    // Prepare
    const { api, store, seen, refreshed } = setup(session());
    // Act
    const me = await api.get('/users/me');
    // Assess
    expect(me).toEqual({ userId: 'alice' });
    expect(seen).toEqual(['access-1', 'access-2']);
    expect(refreshed).toEqual(['refresh-1']);
    expect(await store.load()).toMatchObject({ accessToken: 'access-2', refreshToken: 'refresh-2' });
  });

  it('does not loop: a second TOKEN_EXPIRED after the refresh is the error', async () => {
    let refreshes = 0;
    const { api, seen } = setup(session(), {
      refresh: async () => {
        refreshes++;
        return {
          accessToken: 'also-expired',
          expiresAt: new Date(Date.now() + HOUR).toISOString(),
          refreshToken: 'refresh-2',
          refreshExpiresAt: new Date(Date.now() + HOUR).toISOString(),
        };
      },
    });
    const failure = await caught(api.get('/users/me'));
    expect(failure).toMatchObject({ status: 401, code: 'TOKEN_EXPIRED' });
    expect(seen).toEqual(['access-1', 'also-expired']);
    expect(refreshes).toBe(1);
  });

  it('refreshes once for many concurrent requests (refresh tokens are single-use)', async () => {
    const { api, refreshed, seen } = setup(session());
    await Promise.all(Array.from({ length: 5 }, () => api.get('/users/me')));
    expect(refreshed).toEqual(['refresh-1']);
    expect(seen.filter((t) => t === 'access-2')).toHaveLength(5);
  });

  it('refreshes before sending when the stored access token is already past its expiry', async () => {
    const { api, seen, refreshed } = setup(session({ accessExpiresAt: new Date(Date.now() - 1000).toISOString() }));
    await api.get('/users/me');
    expect(seen).toEqual(['access-2']);
    expect(refreshed).toEqual(['refresh-1']);
  });

  it('uses tokens another process already rotated instead of spending a stale refresh token', async () => {
    const { api, store, valid, seen, refreshed, keeper } = setup(session());
    await keeper.current(); // this process loaded access-1
    valid.add('access-9');
    await store.save(session({ accessToken: 'access-9', refreshToken: 'refresh-9' }));
    await api.get('/users/me');
    expect(seen).toEqual(['access-1', 'access-9']);
    expect(refreshed).toEqual([]);
  });

  it('reports SESSION_EXPIRED naming the user when the refresh token is refused', async () => {
    const { api } = setup(session(), {
      refresh: async () => {
        throw new CofferApiError(401, 'INVALID_REFRESH_TOKEN', 'The refresh token is not valid: log in again.');
      },
    });
    const failure = await caught(api.get('/users/me'));
    expect(failure).toMatchObject({ code: 'SESSION_EXPIRED', message: 'The session of alice has expired: log in again.' });
  });

  it('reports SESSION_EXPIRED without calling the server when the refresh token itself has expired', async () => {
    const { api, refreshed } = setup(session({ refreshExpiresAt: new Date(Date.now() - 1000).toISOString() }));
    expect(await caught(api.get('/users/me'))).toMatchObject({ code: 'SESSION_EXPIRED' });
    expect(refreshed).toEqual([]);
  });

  it('does not refresh on other 401s (a forged or revoked token is not an expiry)', async () => {
    const store = new MemorySessionStore(session());
    const refreshed: string[] = [];
    const api = new ApiClient({ baseUrl: 'http://x', fetch: async () => error(401, 'INVALID_TOKEN', 'The access token is not valid.') });
    api.useTokens(
      new SessionKeeper(store, async (t) => {
        refreshed.push(t);
        throw new Error('unreachable');
      }),
    );
    expect(await caught(api.get('/users/me'))).toMatchObject({ status: 401, code: 'INVALID_TOKEN' });
    expect(refreshed).toEqual([]);
  });

  it('says NOT_LOGGED_IN without a session', async () => {
    const api = new ApiClient({ baseUrl: 'http://x', fetch: async () => Response.json({}) });
    api.useTokens(new SessionKeeper(new MemorySessionStore(), async () => ({}) as RefreshedTokens));
    expect(await caught(api.get('/users/me'))).toMatchObject({ code: 'NOT_LOGGED_IN', message: 'Not logged in.' });
  });
});

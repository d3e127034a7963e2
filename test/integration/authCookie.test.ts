import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FetchLike } from '../../client/sdk/ApiClient.js';
import { CofferClient } from '../../client/sdk/CofferClient.js';
import { MemoryKeyPinStore } from '../../client/sdk/KeyPinStore.js';
import { fromBase64Url, generateUserKeyPair, importPrivateKey, TEST_KDF } from '../../shared/core/crypto/index.js';
import { type Actor, register } from '../helpers/actors.js';
import { api } from '../helpers/http.js';
import { type LocalStack, startLocalStack } from '../helpers/localStack.js';

/**
 * The web app's cookie session (docs/web.md, "Sessions"), attacked from outside: the refresh
 * token as an HttpOnly cookie on /auth/session, the CSRF defence, rotation and reuse detection,
 * expiry, logout. The bearer flow's own tests (auth.test.ts) run unchanged beside these.
 */
let stack: LocalStack;
let url: string;
let host: string;
let alice: Actor;
/** The handlers' clock: a test moves it forward to expire the cookie's token. */
let offsetMs = 0;

const CSRF = { 'x-coffer-csrf': '1' };
const COOKIE = '__Secure-coffer-refresh';

beforeAll(async () => {
  stack = await startLocalStack({ clock: () => Date.now() + offsetMs });
  url = stack.url;
  host = new URL(url).host;
  alice = await register(url, 'cookie-alice');
});
afterAll(() => stack?.stop());

/** The one Set-Cookie of a response, split into its value and attributes. */
function setCookie(headers: Headers): { value: string; attributes: string[] } {
  const all = headers.getSetCookie();
  expect(all).toHaveLength(1);
  const [pair, ...attributes] = all[0]!.split(/;\s*/);
  expect(pair!.startsWith(`${COOKIE}=`)).toBe(true);
  return { value: pair!.slice(COOKIE.length + 1), attributes };
}

async function cookieLogin(): Promise<{ cookie: string; accessToken: string; body: any }> {
  const res = await api(url, 'POST', '/auth/token', { body: { userId: alice.userId, authKey: alice.authKey, session: 'cookie' }, headers: CSRF });
  expect(res.status).toBe(200);
  return { cookie: setCookie(res.headers).value, accessToken: res.body.accessToken, body: res.body };
}

function maxAgeOf(attributes: string[]): number {
  const entry = attributes.find((a) => a.startsWith('Max-Age='));
  expect(entry).toBeDefined();
  return Number(entry!.slice(8));
}

function refreshWith(cookie: string | undefined, headers: Record<string, string> = CSRF) {
  return api(url, 'POST', '/auth/session/refresh', { headers: { ...headers, ...(cookie !== undefined && { cookie: `${COOKIE}=${cookie}` }) } });
}

describe('POST /auth/token with session: cookie', () => {
  it('sets the refresh token as an HttpOnly, Secure, SameSite=Strict cookie on /auth/session, and leaves it out of the body', async () => {
    const res = await api(url, 'POST', '/auth/token', { body: { userId: alice.userId, authKey: alice.authKey, session: 'cookie' }, headers: CSRF });
    expect(res.status).toBe(200);
    const { value, attributes } = setCookie(res.headers);
    expect(value).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(attributes).toEqual(expect.arrayContaining(['Path=/auth/session', 'HttpOnly', 'Secure', 'SameSite=Strict']));
    // Not remembered: a browser-session cookie, gone when the browser closes.
    expect(attributes.filter((a) => /^(Max-Age|Expires)=/i.test(a))).toEqual([]);
    expect(res.body).not.toHaveProperty('refreshToken');
    expect(JSON.stringify(res.body)).not.toContain(value);
    expect(res.body).toMatchObject({ tokenType: 'Bearer', user: { userId: alice.userId } });
    const me = await api(url, 'GET', '/users/me', { token: res.body.accessToken });
    expect(me.status).toBe(200);
  });

  it('remember: the cookie lasts as long as the session family (30 days), and each refresh keeps it so when asked', async () => {
    const res = await api(url, 'POST', '/auth/token', { body: { userId: alice.userId, authKey: alice.authKey, session: 'cookie', remember: true }, headers: CSRF });
    expect(res.status).toBe(200);
    const first = setCookie(res.headers);
    expect(maxAgeOf(first.attributes)).toBeGreaterThan(29 * 24 * 3600);
    expect(maxAgeOf(first.attributes)).toBeLessThanOrEqual(30 * 24 * 3600);

    const kept = await api(url, 'POST', '/auth/session/refresh', { body: { remember: true }, headers: { ...CSRF, cookie: `${COOKIE}=${first.value}` } });
    expect(kept.status).toBe(200);
    const second = setCookie(kept.headers);
    expect(maxAgeOf(second.attributes)).toBeGreaterThan(29 * 24 * 3600);

    const dropped = await refreshWith(second.value);
    expect(dropped.status).toBe(200);
    expect(setCookie(dropped.headers).attributes.filter((a) => /^(Max-Age|Expires)=/i.test(a))).toEqual([]);
  });

  it('refuses remember without a cookie session, and any other remember value', async () => {
    for (const body of [
      { userId: alice.userId, authKey: alice.authKey, remember: true },
      { userId: alice.userId, authKey: alice.authKey, session: 'cookie', remember: false },
      { userId: alice.userId, authKey: alice.authKey, session: 'cookie', remember: 'yes' },
    ]) {
      const res = await api(url, 'POST', '/auth/token', { body, headers: CSRF });
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('VALIDATION_FAILED');
      expect(res.headers.getSetCookie()).toEqual([]);
    }
    const { cookie } = await cookieLogin();
    const bad = await api(url, 'POST', '/auth/session/refresh', { body: { remember: 1 }, headers: { ...CSRF, cookie: `${COOKIE}=${cookie}` } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('VALIDATION_FAILED');
    // Refused before the cookie was read: it is still good.
    expect((await refreshWith(cookie)).status).toBe(200);
  });

  it('keeps the bearer flow as it was: the refresh token in the body, no cookie', async () => {
    const res = await api(url, 'POST', '/auth/token', { body: { userId: alice.userId, authKey: alice.authKey } });
    expect(res.status).toBe(200);
    expect(res.body.refreshToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(res.headers.getSetCookie()).toEqual([]);
  });

  it('refuses to set the cookie without the CSRF header or from another site', async () => {
    const body = { userId: alice.userId, authKey: alice.authKey, session: 'cookie' };
    const bare = await api(url, 'POST', '/auth/token', { body });
    expect(bare.status).toBe(403);
    expect(bare.body.error.code).toBe('CSRF_HEADER_MISSING');
    expect(bare.headers.getSetCookie()).toEqual([]);
    const evil = await api(url, 'POST', '/auth/token', { body, headers: { ...CSRF, origin: 'https://evil.example' } });
    expect(evil.status).toBe(403);
    expect(evil.body.error.code).toBe('CROSS_SITE_REQUEST');
  });

  it('refuses any other session value', async () => {
    const res = await api(url, 'POST', '/auth/token', { body: { userId: alice.userId, authKey: alice.authKey, session: 'bearer' }, headers: CSRF });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('VALIDATION_FAILED');
  });
});

describe('POST /auth/session/refresh', () => {
  it('rotates the cookie: a new token in Set-Cookie, none in the body, a working access token', async () => {
    const { cookie } = await cookieLogin();
    const res = await refreshWith(cookie, { ...CSRF, origin: `http://${host}`, 'sec-fetch-site': 'same-origin' });
    expect(res.status).toBe(200);
    const next = setCookie(res.headers);
    expect(next.value).not.toBe(cookie);
    expect(next.attributes).toEqual(expect.arrayContaining(['Path=/auth/session', 'HttpOnly', 'Secure', 'SameSite=Strict']));
    expect(res.body).not.toHaveProperty('refreshToken');
    expect(Object.keys(res.body).sort()).toEqual(['accessToken', 'expiresAt', 'refreshExpiresAt', 'tokenType']);
    expect((await api(url, 'GET', '/users/me', { token: res.body.accessToken })).status).toBe(200);
  });

  it('detects a replayed cookie after rotation and revokes the whole family', async () => {
    const { cookie } = await cookieLogin();
    const rotated = setCookie((await refreshWith(cookie)).headers).value;
    const replay = await refreshWith(cookie);
    expect(replay.status).toBe(401);
    expect(replay.body.error.code).toBe('REFRESH_TOKEN_REUSED');
    expect(replay.headers.getSetCookie()).toEqual([]);
    const victim = await refreshWith(rotated);
    expect(victim.status).toBe(401);
    expect(victim.body.error.code).toBe('SESSION_REVOKED');
  });

  it('refuses a request without the CSRF header, and leaves the cookie unspent', async () => {
    const { cookie } = await cookieLogin();
    for (const headers of [{}, { 'x-coffer-csrf': '0' }, { 'x-coffer-csrf': 'true' }] as Record<string, string>[]) {
      const res = await refreshWith(cookie, headers);
      expect(res.status).toBe(403);
      expect(res.body.error.code).toBe('CSRF_HEADER_MISSING');
    }
    expect((await refreshWith(cookie)).status).toBe(200);
  });

  it('refuses another site (Origin or Sec-Fetch-Site), even with the header and the cookie', async () => {
    const { cookie } = await cookieLogin();
    for (const headers of [
      { ...CSRF, origin: 'https://evil.example' },
      { ...CSRF, origin: `https://${host}.evil.example` },
      { ...CSRF, origin: 'null' },
      { ...CSRF, 'sec-fetch-site': 'cross-site' },
      { ...CSRF, 'sec-fetch-site': 'same-site' },
    ]) {
      const res = await refreshWith(cookie, headers);
      expect(res.status, JSON.stringify(headers)).toBe(403);
      expect(res.body.error.code).toBe('CROSS_SITE_REQUEST');
    }
    expect((await refreshWith(cookie)).status).toBe(200);
  });

  it('answers REFRESH_COOKIE_MISSING without the cookie, INVALID_REFRESH_TOKEN for a made-up one', async () => {
    const none = await refreshWith(undefined);
    expect(none.status).toBe(401);
    expect(none.body.error.code).toBe('REFRESH_COOKIE_MISSING');
    const other = await api(url, 'POST', '/auth/session/refresh', { headers: { ...CSRF, cookie: `coffer-refresh=${'a'.repeat(43)}` } });
    expect(other.body.error.code).toBe('REFRESH_COOKIE_MISSING');
    const madeUp = await refreshWith('a'.repeat(43));
    expect(madeUp.status).toBe(401);
    expect(madeUp.body.error.code).toBe('INVALID_REFRESH_TOKEN');
  });

  it('refuses an expired cookie', async () => {
    const { cookie } = await cookieLogin();
    offsetMs = 31 * 24 * 3600 * 1000;
    try {
      const res = await refreshWith(cookie);
      expect(res.status).toBe(401);
      expect(res.body.error.code).toBe('INVALID_REFRESH_TOKEN');
    } finally {
      offsetMs = 0;
    }
  });

  it('is worth nothing on other paths: not a bearer refresh token, not an access token', async () => {
    const { cookie } = await cookieLogin();
    const headers = { ...CSRF, cookie: `${COOKIE}=${cookie}` };
    const bearerRefresh = await api(url, 'POST', '/auth/refresh', { headers });
    expect(bearerRefresh.status).toBe(400);
    expect(bearerRefresh.body.error.code).toBe('VALIDATION_FAILED');
    const me = await api(url, 'GET', '/users/me', { headers });
    expect(me.status).toBe(401);
    expect(me.body.error.code).toBe('MISSING_TOKEN');
    const bearerLogout = await api(url, 'POST', '/auth/logout', { headers });
    expect(bearerLogout.status).toBe(401);
    // Still the live token: nothing above spent it.
    expect((await refreshWith(cookie)).status).toBe(200);
  });
});

describe('POST /auth/session/logout', () => {
  it('revokes the family and clears the cookie', async () => {
    const { cookie } = await cookieLogin();
    const out = await api(url, 'POST', '/auth/session/logout', { headers: { ...CSRF, cookie: `${COOKIE}=${cookie}` } });
    expect(out.status).toBe(204);
    const cleared = setCookie(out.headers);
    expect(cleared.value).toBe('');
    expect(cleared.attributes).toEqual(expect.arrayContaining(['Max-Age=0', 'Path=/auth/session', 'HttpOnly', 'Secure', 'SameSite=Strict']));
    const after = await refreshWith(cookie);
    expect(after.status).toBe(401);
    expect(after.body.error.code).toBe('SESSION_REVOKED');
  });

  it('clears the cookie even when the session is already over, and needs the CSRF header', async () => {
    const gone = await api(url, 'POST', '/auth/session/logout', { headers: { ...CSRF, cookie: `${COOKIE}=${'b'.repeat(43)}` } });
    expect(gone.status, JSON.stringify(gone.body)).toBe(204);
    expect(setCookie(gone.headers).value).toBe('');
    const { cookie } = await cookieLogin();
    const forged = await api(url, 'POST', '/auth/session/logout', { headers: { cookie: `${COOKIE}=${cookie}` } });
    expect(forged.status).toBe(403);
    expect(forged.body.error.code).toBe('CSRF_HEADER_MISSING');
    const crossSite = await api(url, 'POST', '/auth/session/logout', { headers: { ...CSRF, origin: 'https://evil.example', cookie: `${COOKIE}=${cookie}` } });
    expect(crossSite.body.error.code).toBe('CROSS_SITE_REQUEST');
    expect((await refreshWith(cookie)).status).toBe(200);
  });
});

describe('CORS', () => {
  it('never lets another origin send the CSRF header or credentials', async () => {
    const res = await fetch(`${url}/auth/session/refresh`, {
      method: 'OPTIONS',
      headers: { origin: 'https://app.example.test', 'access-control-request-method': 'POST', 'access-control-request-headers': 'x-coffer-csrf' },
    });
    expect(res.headers.get('access-control-allow-credentials')).toBeNull();
    expect(res.headers.get('access-control-allow-headers') ?? '').not.toMatch(/x-coffer-csrf/i);
  });
});

/**
 * A fetch that keeps cookies as a browser would for this test's one host: sends them only under
 * their Path, stores what Set-Cookie gives, drops what it clears. Enough for the SDK's cookie mode.
 */
function cookieJarFetch(): { fetch: FetchLike; jar: Map<string, string>; kept: Map<string, boolean> } {
  const jar = new Map<string, string>();
  /** Whether the browser would keep each cookie beyond its session (a Max-Age). */
  const kept = new Map<string, boolean>();
  const jarFetch: FetchLike = async (input, init) => {
    const headers = new Headers(init?.headers);
    if (new URL(input).pathname.startsWith('/auth/session/') && jar.size > 0) headers.set('cookie', [...jar].map(([k, v]) => `${k}=${v}`).join('; '));
    const res = await fetch(input, { ...init, headers });
    for (const line of res.headers.getSetCookie()) {
      const pair = line.split(';')[0]!;
      const name = pair.slice(0, pair.indexOf('='));
      if (/Max-Age=0(;|$)/.test(line)) jar.delete(name);
      else {
        jar.set(name, pair.slice(name.length + 1));
        kept.set(name, /;\s*Max-Age=/i.test(line));
      }
    }
    return res;
  };
  return { fetch: jarFetch, jar, kept };
}

describe('the SDK in cookie mode (the web app’s account worker)', () => {
  const cookieClient = (jarFetch: FetchLike) =>
    new CofferClient({ serverUrl: url, pinStore: new MemoryKeyPinStore(), fetch: jarFetch, session: 'cookie', tuning: { allowWeakKdf: true, accountKdf: TEST_KDF } });

  it('logs in with the cookie, holds no refresh token, resumes from a non-extractable key, and signs out', async () => {
    const { fetch: jarFetch, jar, kept } = cookieJarFetch();
    const first = cookieClient(jarFetch);
    await first.register({ userId: 'cookie-frank', name: 'Frank', passphrase: 'a passphrase for the cookie test only' });
    expect(kept.get(COOKIE)).toBe(false); // registered, not remembered: a browser-session cookie
    await first.login('cookie-frank', 'a passphrase for the cookie test only', { keepCookie: true });
    expect(kept.get(COOKIE)).toBe(true);
    const session = (await first.session())!;
    expect(session.refreshToken).toBe('');
    expect([...jar.keys()]).toEqual([COOKIE]);
    const { documentId } = await first.upload(new TextEncoder().encode('kept'), { name: 'kept.txt' });

    // A new page load: only the cookie and the remembered key are left.
    const privateKey = await importPrivateKey(fromBase64Url(session.privateKeyPkcs8));
    expect(privateKey.extractable).toBe(false);
    const device = { userId: 'cookie-frank', privateKey, publicKeySpki: session.publicKeySpki, fingerprint: session.fingerprint };
    const before = jar.get(COOKIE);
    const second = cookieClient(jarFetch);
    expect((await second.resume(device)).userId).toBe('cookie-frank');
    expect(jar.get(COOKIE)).not.toBe(before); // rotated
    expect(kept.get(COOKIE)).toBe(true); // and still outlives the browser session
    const got = await second.download(documentId);
    expect(got.name).toBe('kept.txt');
    expect(new TextDecoder().decode(new Uint8Array(await new Response(got.stream).arrayBuffer()))).toBe('kept');

    // A key that is not the account's is refused, and leaves no session behind.
    const stranger = await generateUserKeyPair();
    const third = cookieClient(jarFetch);
    await expect(third.resume({ ...device, privateKey: await importPrivateKey(stranger.privateKeyPkcs8) })).rejects.toMatchObject({ code: 'PRIVATE_KEY_UNREADABLE' });
    expect(await third.session()).toBeUndefined();

    expect(await second.logout()).toMatchObject({ serverRevoked: true });
    expect(jar.size).toBe(0);
    await expect(cookieClient(jarFetch).resume(device)).rejects.toMatchObject({ code: 'SESSION_EXPIRED' });
  });
});

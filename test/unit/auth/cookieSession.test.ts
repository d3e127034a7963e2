import { describe, expect, it } from 'vitest';
import { clearedRefreshCookie, readRefreshCookie, REFRESH_COOKIE, refreshCookie } from '../../../shared/server/auth/refreshCookie.js';
import { requireSameSiteRequest } from '../../../shared/server/auth/requireSameSiteRequest.js';

const TOKEN = 'A'.repeat(42) + 'E';

describe('refreshCookie', () => {
  it('kept ("remember this device"): carries the token until the family expires, HttpOnly, Secure, SameSite=Strict, on /auth/session only', () => {
    expect(refreshCookie(TOKEN, 10_000_500, 1_000_000, true)).toBe(`${REFRESH_COOKIE}=${TOKEN}; Max-Age=9000; Path=/auth/session; HttpOnly; Secure; SameSite=Strict`);
    expect(refreshCookie(TOKEN, 0, 5_000, true)).toContain('Max-Age=0;');
  });

  it('not kept: a browser-session cookie (no Max-Age, no Expires), with the same attributes', () => {
    const cookie = refreshCookie(TOKEN, 10_000_500, 1_000_000, false);
    expect(cookie).toBe(`${REFRESH_COOKIE}=${TOKEN}; Path=/auth/session; HttpOnly; Secure; SameSite=Strict`);
    expect(cookie).not.toMatch(/Max-Age|Expires/i);
  });

  it('is cleared with an empty value and Max-Age=0 on the same path', () => {
    expect(clearedRefreshCookie()).toBe(`${REFRESH_COOKIE}=; Max-Age=0; Path=/auth/session; HttpOnly; Secure; SameSite=Strict`);
  });
});

describe('readRefreshCookie', () => {
  it('finds the cookie among others, by its exact name', () => {
    expect(readRefreshCookie(['theme=dark', ` ${REFRESH_COOKIE}=${TOKEN} `])).toBe(TOKEN);
    expect(readRefreshCookie([`x${REFRESH_COOKIE}=${TOKEN}`, 'coffer-refresh=abc'])).toBeUndefined();
    expect(readRefreshCookie([`${REFRESH_COOKIE}=`])).toBeUndefined();
    expect(readRefreshCookie([])).toBeUndefined();
  });
});

describe('requireSameSiteRequest', () => {
  const from = (headers: Record<string, string>) => () => requireSameSiteRequest((name) => headers[name]);

  it('passes the web app’s own request: the header, same-origin, its own Origin', () => {
    expect(from({ 'x-coffer-csrf': '1', 'sec-fetch-site': 'same-origin', origin: 'https://coffer.example', host: 'coffer.example' })).not.toThrow();
    expect(from({ 'x-coffer-csrf': '1' })).not.toThrow();
    expect(from({ 'x-coffer-csrf': '1', origin: 'https://app.example', host: 'api.internal', 'x-forwarded-host': 'app.example' })).not.toThrow();
  });

  it('refuses a request without the exact header', () => {
    for (const value of [undefined, '', '0', 'true', '1 ']) {
      expect(from(value === undefined ? {} : { 'x-coffer-csrf': value })).toThrow(expect.objectContaining({ code: 'CSRF_HEADER_MISSING' }));
    }
  });

  it('refuses another site, a sibling host and an opaque origin', () => {
    for (const headers of [
      { 'sec-fetch-site': 'cross-site' },
      { 'sec-fetch-site': 'same-site' },
      { 'sec-fetch-site': 'none' },
      { origin: 'https://evil.example', host: 'coffer.example' },
      { origin: 'https://files.coffer.example', host: 'coffer.example' },
      { origin: 'null', host: 'coffer.example' },
      { origin: 'https://coffer.example' },
    ] as Record<string, string>[]) {
      expect(from({ 'x-coffer-csrf': '1', ...headers }), JSON.stringify(headers)).toThrow(expect.objectContaining({ code: 'CROSS_SITE_REQUEST' }));
    }
  });
});

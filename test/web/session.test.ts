import { readFile } from 'node:fs/promises';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { CofferClient } from '../../client/sdk/CofferClient.js';
import { MemoryKeyPinStore } from '../../client/sdk/KeyPinStore.js';
import { type LocalStack, startLocalStack } from '../helpers/localStack.js';
import { launchChromium } from './browser.js';
import { accessibilityProblems, screenshot } from './pageChecks.js';
import { BrowserRecorder } from './recorder.js';

/**
 * The web app's session security in headless Chromium (docs/web.md, "Sessions"): the refresh
 * token is an HttpOnly, Secure, SameSite=Strict cookie on /auth/session that script cannot see
 * and no body carries; a reload asks for the passphrase unless "remember this device" was
 * ticked, which keeps only a non-extractable CryptoKey in IndexedDB; sign-out forgets both; one's
 * own passphrase is measured with the CLI's rule, its dictionaries loaded only then.
 */

const COOKIE = '__Secure-coffer-refresh';
const WEAK = 'aaaabbbbcccc';
const STRONG = 'quiet-lantern-orbit-velvet-saffron-glacier';

let stack: LocalStack;
let browser: Browser;
let recorder: BrowserRecorder;
let page: Page;
let context: BrowserContext;
let close: () => Promise<void>;
/** Erin's private key (read from Node), which no request may carry. */
let privateKey = '';
/** Every refresh token the browser held: none may appear in a URL or a body. */
const refreshTokens = new Set<string>();

beforeAll(async () => {
  [stack, browser] = await Promise.all([startLocalStack({ webRoot: inject('webRoot') }), launchChromium()]);
  recorder = new BrowserRecorder(browser);
  ({ page, context, close } = await recorder.visitor());
  recorder.keepSecret('the weak passphrase', WEAK);
  recorder.keepSecret('the passphrase', STRONG);
});

afterAll(async () => {
  await close?.();
  await browser?.close();
  await stack?.stop();
});

async function refreshCookie() {
  const cookie = (await context.cookies()).find((c) => c.name === COOKIE);
  if (cookie) refreshTokens.add(cookie.value);
  return cookie;
}

/** What IndexedDB holds for the remembered device, as the page's own script sees it. */
function storedDevice(): Promise<{ count: number; isCryptoKey?: boolean; extractable?: boolean; type?: string; usages?: string[]; exported?: string }> {
  return page.evaluate(
    () =>
      new Promise((resolve, reject) => {
        const open = indexedDB.open('coffer', 1);
        open.onupgradeneeded = () => open.result.createObjectStore('device');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const get = open.result.transaction('device').objectStore('device').get('current');
          get.onsuccess = async () => {
            const device = get.result as { privateKey: CryptoKey } | undefined;
            open.result.close();
            if (!device) return resolve({ count: 0 });
            // Even the origin's own script cannot read the key's bytes out.
            const exported = await crypto.subtle.exportKey('pkcs8', device.privateKey).then(
              () => 'exported',
              (e: Error) => e.name,
            );
            const key = device.privateKey;
            resolve({ count: 1, isCryptoKey: key instanceof CryptoKey, extractable: key.extractable, type: key.type, usages: [...key.usages], exported });
          };
        };
      }),
  );
}

async function signIn(remember: boolean): Promise<void> {
  await page.getByLabel('User id').fill('erin');
  await page.getByLabel('Passphrase').fill(STRONG);
  if (remember) await page.getByLabel('Remember this device').check();
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'My files' }).waitFor({ timeout: 20_000 });
}

describe('the web session', () => {
  it('refuses a weak own passphrase with the meter’s message, registers a strong one, loading the dictionaries only then', async () => {
    await page.goto(stack.url);
    await page.getByRole('button', { name: 'Create an account' }).click();
    await page.getByLabel(/User id/).fill('erin');
    await page.getByLabel('Your name').fill('Erin');
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByRole('button', { name: 'Choose my own passphrase instead' }).click();
    const scriptsBefore = recorder.exchanges.filter((e) => e.url.endsWith('.js')).map((e) => new URL(e.url).pathname);
    expect(scriptsBefore.every((p) => /^\/assets\/(app|accountWorker)-[\w-]+\.js$/.test(p)), scriptsBefore.join()).toBe(true);

    await page.getByLabel(/^Your passphrase/).fill(WEAK);
    await page.getByText(/^Not strong enough/).waitFor({ timeout: 15_000 });
    const meterSays = (await page.locator('#strength-text').textContent()) ?? '';
    expect(meterSays).toMatch(/Too easy to guess/);
    expect(Number(await page.locator('#strength-meter').getAttribute('value') ?? await page.locator('#strength-meter').evaluate((m: HTMLMeterElement) => m.value))).toBeLessThan(75);
    const scriptsAfter = recorder.exchanges.filter((e) => e.url.endsWith('.js')).length;
    expect(scriptsAfter).toBeGreaterThan(scriptsBefore.length); // the dictionaries' chunks, on demand
    expect(await accessibilityProblems(page)).toEqual([]);
    await screenshot(page, 'register-own-passphrase');
    await page.getByLabel('The same passphrase again').fill(WEAK);
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.getByRole('alert').waitFor();
    expect(await page.getByRole('alert').textContent()).toBe(`Passphrase refused. ${meterSays.replace(/^Not strong enough\. /, '')}`);
    expect(recorder.exchanges.some((e) => new URL(e.url).pathname === '/users')).toBe(false);

    await page.getByLabel(/^Your passphrase/).fill(STRONG);
    await page.getByText(/^Strong enough/).waitFor({ timeout: 15_000 });
    await page.getByLabel('The same passphrase again').fill(STRONG);
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.getByRole('heading', { name: 'My files' }).waitFor({ timeout: 30_000 });
  }, 60_000);

  it('keeps the refresh token in an HttpOnly, Secure, SameSite=Strict cookie on /auth/session, out of script’s reach', async () => {
    const cookie = await refreshCookie();
    expect(cookie).toMatchObject({ httpOnly: true, secure: true, sameSite: 'Strict', path: '/auth/session' });
    // Not remembered: a browser-session cookie (Chromium reports -1), gone when the browser closes.
    expect(cookie!.expires).toBe(-1);
    expect(await page.evaluate(() => document.cookie)).toBe('');
    // The browser sends it to no other path: no request elsewhere carries a Cookie header with it.
    const elsewhere = recorder.exchanges.filter((x) => !new URL(x.url).pathname.startsWith('/auth/session'));
    expect(elsewhere.some((e) => new URL(e.url).pathname === '/documents')).toBe(true);
    for (const e of elsewhere) expect(String((JSON.parse(e.text) as Record<string, string>).cookie ?? '')).not.toContain(COOKIE);
  });

  it('asks for the passphrase again after a reload when the device is not remembered', async () => {
    await page.reload();
    await page.getByRole('heading', { name: 'Sign in to Coffer' }).waitFor();
    expect((await storedDevice()).count).toBe(0);
  });

  it('with "remember this device", signs in again after a reload without the passphrase, from a non-extractable CryptoKey', async () => {
    await signIn(true);
    // Remembered: the cookie lasts as long as the session family, beyond the browser session.
    expect((await refreshCookie())!.expires).toBeGreaterThan(Date.now() / 1000 + 29 * 24 * 3600);
    const device = await storedDevice();
    expect(device).toMatchObject({ count: 1, isCryptoKey: true, extractable: false, type: 'private', exported: 'InvalidAccessError' });

    const refreshesBefore = recorder.exchanges.filter((e) => e.url.endsWith('/auth/session/refresh')).length;
    await page.reload();
    await page.getByRole('heading', { name: 'My files' }).waitFor({ timeout: 20_000 });
    expect(await page.getByText('Signed in as Erin (erin)').count()).toBe(1);
    const refreshes = recorder.exchanges.filter((e) => e.url.endsWith('/auth/session/refresh'));
    expect(refreshes.length).toBeGreaterThan(refreshesBefore);
    // Chromium itself attached the Secure cookie on http://127.0.0.1 (a potentially trustworthy origin), with the CSRF header.
    const sent = JSON.parse(refreshes[refreshesBefore]!.text) as Record<string, string>;
    expect(sent.cookie).toMatch(new RegExp(`^${COOKIE}=[A-Za-z0-9_-]{43}$`));
    expect(sent['x-coffer-csrf']).toBe('1');
    expect((await refreshCookie())!.expires).toBeGreaterThan(Date.now() / 1000 + 29 * 24 * 3600);
    expect(await accessibilityProblems(page)).toEqual([]);
  }, 40_000);

  it('signs out: the server clears the cookie, the device key is forgotten, a reload asks for the passphrase', async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Sign in to Coffer' }).waitFor();
    expect(await refreshCookie()).toBeUndefined();
    expect((await storedDevice()).count).toBe(0);
    await page.reload();
    await page.getByRole('heading', { name: 'Sign in to Coffer' }).waitFor();
  });

  it('opens a link for signed-in users after signing in on the link page, as that user, on the same page', async () => {
    const node = new CofferClient({ serverUrl: stack.url, pinStore: new MemoryKeyPinStore() });
    await node.login('erin', STRONG);
    const content = 'members-only minutes';
    const name = 'minutes.txt';
    const { documentId } = await node.upload(new TextEncoder().encode(content), { name });
    const { url } = await node.createLink(documentId, { audience: { mode: 'signed-in' } });
    recorder.keepSecret('the link secret', new URL(url).hash.slice(1));
    recorder.keepSecret('the content', content);
    privateKey = (await node.session())!.privateKeyPkcs8;

    await page.goto(url);
    await page.getByRole('button', { name: 'Open' }).click();
    await page.getByRole('heading', { name: 'Sign in to open this link' }).waitFor({ timeout: 15_000 });
    expect(await accessibilityProblems(page)).toEqual([]);
    await screenshot(page, 'link-sign-in');
    await page.getByLabel('User id').fill('erin');
    await page.getByLabel('Passphrase').fill(STRONG);
    const [download] = await Promise.all([page.waitForEvent('download', { timeout: 30_000 }), page.getByRole('button', { name: 'Sign in and open' }).click()]);
    expect(Buffer.from(await readFile((await download.path())!)).toString()).toBe(content);
    expect(download.suggestedFilename()).toBe(name);
    // The one authenticated call came from the account worker, with a bearer token the page never held.
    const opens = recorder.exchanges.filter((e) => new URL(e.url).pathname === '/links/open');
    expect(opens.some((e) => /"authorization":"Bearer /.test(e.text))).toBe(true);
  }, 60_000);

  it('sent no passphrase, private key or refresh token in any URL or body; no body carried a refresh token', async () => {
    const { privateKeyPkcs8 } = { privateKeyPkcs8: privateKey };
    recorder.keepSecret('the private key (base64url)', privateKeyPkcs8);
    recorder.keepSecret('the private key', Buffer.from(privateKeyPkcs8, 'base64url'));
    recorder.keepSecret('the private key (base64)', Buffer.from(privateKeyPkcs8, 'base64url').toString('base64'));
    expect(recorder.leaks()).toEqual([]);

    expect(refreshTokens.size).toBeGreaterThanOrEqual(2);
    for (const e of recorder.exchanges) {
      for (const token of refreshTokens) {
        expect(e.url).not.toContain(token);
        expect(e.body.includes(token), new URL(e.url).pathname).toBe(false);
      }
    }
    // No API answer (nor request) names a refresh token: the scripts' own source may, as code.
    const api = recorder.exchanges.filter((e) => !/^\/assets\/|\.js$/.test(new URL(e.url).pathname));
    expect(api.some((e) => new URL(e.url).pathname === '/auth/token')).toBe(true);
    for (const e of api) expect(e.body.includes('refreshToken'), new URL(e.url).pathname).toBe(false);
    expect(recorder.consoleProblems.filter((line) => !/status of 40[13]/.test(line))).toEqual([]);
  });
});

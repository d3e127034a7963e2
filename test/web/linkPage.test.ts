import { readFile } from 'node:fs/promises';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { CofferClient } from '../../client/sdk/CofferClient.js';
import { MemoryKeyPinStore } from '../../client/sdk/KeyPinStore.js';
import { parseLinkUrl, TEST_KDF } from '../../shared/core/crypto/index.js';
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { s3Client } from '../../shared/server/config/clients.js';
import { objectKey } from '../../shared/server/data/keys.js';
import { type LocalStack, startLocalStack } from '../helpers/localStack.js';
import { movableClock } from '../helpers/links.js';
import { pseudoRandomBytes } from '../helpers/pseudoRandomBytes.js';
import { launchChromium } from './browser.js';
import { accessibilityProblems, screenshot } from './pageChecks.js';
import { BrowserRecorder } from './recorder.js';

/**
 * The link page in headless Chromium, over the real local stack serving the built app: a
 * recipient with no account opens links the SDK created, downloads byte-identical files, sees a
 * view-only file without being offered a download, and gets a clear message for every failure.
 * Every request and response of every page is recorded, and none carries a file's content or
 * name, a link secret or a password. The pages pass axe-core and break no CSP rule.
 */

/** A 1×1 PNG: the view-only image. */
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64');

const clock = movableClock();
let stack: LocalStack;
let browser: Browser;
let alice: CofferClient;
let recorder: BrowserRecorder;
const keepSecret = (label: string, value: string | Uint8Array) => recorder.keepSecret(label, value);
const visitor = () => recorder.visitor();

async function upload(bytes: Uint8Array, name: string): Promise<string> {
  keepSecret(`the name ${name}`, name);
  const { documentId } = await alice.upload(bytes, { name });
  return documentId;
}

async function link(documentId: string, options: Parameters<CofferClient['createLink']>[1] = {}): Promise<string> {
  const { url } = await alice.createLink(documentId, options);
  keepSecret('a link secret', parseLinkUrl(url).secret);
  if (options.password) keepSecret('a link password', options.password);
  return url;
}

/** Opens `url`, clicks Open, and answers the password form when one comes. */
async function openWith(page: Page, url: string, password?: string): Promise<void> {
  await page.goto(url);
  await page.getByRole('button', { name: 'Open' }).click();
  if (password !== undefined) {
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Unlock' }).click();
  }
}

async function heading(page: Page): Promise<string> {
  return (await page.locator('h1').textContent()) ?? '';
}

beforeAll(async () => {
  [stack, browser] = await Promise.all([startLocalStack({ webRoot: inject('webRoot'), clock: clock.now }), launchChromium()]);
  recorder = new BrowserRecorder(browser);
  alice = new CofferClient({ serverUrl: stack.url, pinStore: new MemoryKeyPinStore(), tuning: { allowWeakKdf: true, linkKdf: TEST_KDF } });
  await alice.register({ userId: 'alice', name: 'Alice', passphrase: 'alice-web-link-page-passphrase', kdf: TEST_KDF });
});

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

describe('the web app on the local stack', () => {
  it('serves the app at / and /l/<token> with the strict policy; API paths answer as before', async () => {
    // Act
    const [page, linkPage, health, unknown] = await Promise.all(
      ['/', '/l/abcDEF123_-', '/health', '/no-such-route'].map((path) => fetch(`${stack.url}${path}`)),
    );
    const html = await linkPage!.text();
    const script = /src="(\/assets\/[^"]+\.js)"/.exec(html)?.[1];
    const asset = await fetch(`${stack.url}${script}`);

    // Assess
    const csp = page!.headers.get('content-security-policy') ?? '';
    expect(page!.status).toBe(200);
    expect(page!.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(csp).toContain("script-src 'self' 'wasm-unsafe-eval'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain(`connect-src 'self' ${stack.endpoints.s3}`);
    expect(csp).not.toMatch(/unsafe-inline|'unsafe-eval'|\*/);
    expect(page!.headers.get('x-frame-options')).toBe('DENY');
    expect(page!.headers.get('x-content-type-options')).toBe('nosniff');
    expect(page!.headers.get('referrer-policy')).toBe('no-referrer');
    expect(page!.headers.get('strict-transport-security')).toContain('max-age=');
    expect(linkPage!.status).toBe(200);
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>|\sstyle=|\son[a-z]+=/i);
    expect(asset.status).toBe(200);
    expect(asset.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(asset.headers.get('content-security-policy')).toBe(csp);
    expect(health!.status).toBe(200);
    expect(await health!.json()).toMatchObject({ status: 'ok' });
    expect(unknown!.status).toBe(404);
    expect(await unknown!.json()).toMatchObject({ error: { code: 'ROUTE_NOT_FOUND' } });
  });
});

describe('the link page', () => {
  it('downloads a password link with 2 downloads twice, byte-identical, from fresh visitors, and refuses the third', async () => {
    // Prepare
    const content = pseudoRandomBytes(300_000, 15);
    keepSecret('the content', content.subarray(1000, 1064));
    const url = await link(await upload(content, 'quarterly report ✓.pdf'), { password: 'correct horse battery', maxDownloads: 2 });

    for (const round of [1, 2]) {
      // Act
      const { page, close } = await visitor();
      await page.goto(url);
      if (round === 1) await screenshot(page, 'link-open');
      await page.getByRole('button', { name: 'Open' }).click();
      await page.getByLabel('Password').fill('correct horse battery');
      if (round === 1) await screenshot(page, 'link-password');
      const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Unlock' }).click()]);
      const saved = await readFile((await download.path())!);
      await page.getByRole('heading', { name: 'Saved' }).waitFor();

      // Assess
      expect(download.suggestedFilename()).toBe('quarterly report ✓.pdf');
      expect(Buffer.compare(saved, Buffer.from(content))).toBe(0);
      await expect(page.locator('dl.details').textContent()).resolves.toContain(`Downloads left${2 - round}`);
      await expect(page.locator('dl.details').textContent()).resolves.toContain('300 KB');
      if (round === 1) {
        expect(await accessibilityProblems(page)).toEqual([]);
        await screenshot(page, 'link-saved');
      }
      await close();
    }

    const { page, close } = await visitor();
    await openWith(page, url);
    await page.getByRole('heading', { name: 'This link has been used up' }).waitFor();
    expect(await page.getByRole('alert').textContent()).toContain('all of them have been made');
    expect(await accessibilityProblems(page)).toEqual([]);
    await screenshot(page, 'link-exhausted');
    await close();
  }, 40_000);

  it('shows a view-only text link in the page and offers no download', async () => {
    // Prepare
    const text = 'Board minutes, 7 December.\nThe merger goes ahead on Friday.\n';
    keepSecret('the view-only text', 'The merger goes ahead on Friday.');
    const url = await link(await upload(new TextEncoder().encode(text), 'minutes.txt'), { access: 'view' });
    const { page, close } = await visitor();
    const downloads: string[] = [];
    page.on('download', (d) => downloads.push(d.suggestedFilename()));

    // Act
    await openWith(page, url);
    await page.locator('pre.viewed').waitFor();

    // Assess
    expect(await page.locator('pre.viewed').textContent()).toBe(text);
    expect(await heading(page)).toBe('minutes.txt');
    expect(await page.getByText('View only').count()).toBe(1);
    expect(await page.getByRole('button', { name: /download|save/i }).count()).toBe(0);
    expect(await page.locator('a[download], a[href^="blob:"]').count()).toBe(0);
    expect(await accessibilityProblems(page)).toEqual([]);
    await screenshot(page, 'link-view-only');
    expect(downloads).toEqual([]);
    await close();
  });

  it('shows a view-only image in the page', async () => {
    // Prepare
    const url = await link(await upload(PNG, 'pixel.png'), { access: 'view' });
    const { page, close } = await visitor();

    // Act
    await openWith(page, url);
    const image = page.locator('img.viewed');
    await image.waitFor();

    // Assess
    expect(await image.evaluate((img: HTMLImageElement) => img.decode().then(() => img.naturalWidth))).toBe(1);
    expect(await image.getAttribute('src')).toMatch(/^blob:/);
    expect(await page.getByRole('button', { name: /download|save/i }).count()).toBe(0);
    await close();
  });

  it('says "Wrong password" and asks again; the right one then opens the link', async () => {
    // Prepare
    const content = pseudoRandomBytes(5000, 16);
    const url = await link(await upload(content, 'payroll.csv'), { password: 'the right one, twice over' });
    keepSecret('a wrong password', 'not the password');
    const { page, close } = await visitor();
    const workers: string[] = [];
    page.on('worker', (worker) => workers.push(new URL(worker.url()).pathname));

    // Act
    await openWith(page, url, 'not the password');
    await page.getByRole('heading', { name: 'This link has a password' }).waitFor();
    await page.getByRole('alert').waitFor();

    // Assess
    expect(await page.getByRole('alert').textContent()).toContain('does not open this link');
    expect(await accessibilityProblems(page)).toEqual([]);
    await screenshot(page, 'link-wrong-password');
    await page.getByLabel('Password').fill('the right one, twice over');
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Unlock' }).click()]);
    expect(Buffer.compare(await readFile((await download.path())!), Buffer.from(content))).toBe(0);
    // Each password went to a worker of its own for Argon2id (deriveInWorker), never the page's thread.
    expect(workers.filter((path) => /^\/assets\/linkKeysWorker-[\w-]+\.js$/.test(path))).toHaveLength(2);
    await close();
  });

  it('says a changed secret does not open the file, and a cut link is incomplete before anything is sent', async () => {
    // Prepare
    const url = await link(await upload(pseudoRandomBytes(2000, 17), 'contract.docx'));
    const { base, token, secret } = parseLinkUrl(url);
    const changed = `${base}/l/${token}#${secret[0] === 'A' ? 'B' : 'A'}${secret.slice(1)}`;
    keepSecret('the changed secret', parseLinkUrl(changed).secret);
    const { page, close } = await visitor();
    const downloads: string[] = [];
    page.on('download', (d) => downloads.push(d.suggestedFilename()));

    // Act
    await openWith(page, changed);
    await page.getByRole('heading', { name: 'This link does not open the file' }).waitFor();
    const tampered = await page.getByRole('alert').textContent();
    await screenshot(page, 'link-tampered');
    const before = recorder.exchanges.length;
    // Only the fragment changes: the page itself must notice (no reload happens).
    await page.goto(`${base}/l/${token}#${secret.slice(0, 20)}`);
    await page.getByRole('heading', { name: 'This link is incomplete' }).waitFor();

    // Assess
    expect(tampered).toContain('does not match the file');
    expect(await page.getByRole('button', { name: 'Open' }).count()).toBe(0);
    expect(recorder.exchanges.slice(before).filter((e) => e.url.includes('/links/open'))).toEqual([]);
    expect(downloads).toEqual([]);
    await close();
  });

  it('lists a folder link with names decrypted, and downloads a document from it', async () => {
    // Prepare
    const { folderId } = await alice.createFolder('Project Atlas');
    keepSecret('the folder name', 'Project Atlas');
    const plan = pseudoRandomBytes(40_000, 21);
    keepSecret('a name in the folder', 'atlas plan.md');
    await alice.upload(pseudoRandomBytes(10, 22), { name: 'budget.ods', parent: folderId });
    await alice.upload(plan, { name: 'atlas plan.md', parent: folderId });
    keepSecret('a name in the folder', 'budget.ods');
    const url = await link(folderId);
    const { page, close } = await visitor();

    // Act
    await openWith(page, url);
    await page.getByRole('heading', { name: 'Project Atlas' }).waitFor();
    const names = await page.locator('.children .name').allTextContents();
    expect(await accessibilityProblems(page)).toEqual([]);
    await screenshot(page, 'link-folder');
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download atlas plan.md' }).click()]);
    const saved = await readFile((await download.path())!);
    await page.getByRole('heading', { name: 'Saved' }).waitFor();

    // Assess
    expect(names.sort()).toEqual(['atlas plan.md', 'budget.ods']);
    expect(Buffer.compare(saved, Buffer.from(plan))).toBe(0);
    await page.getByRole('button', { name: 'Back to Project Atlas' }).click();
    await page.getByRole('heading', { name: 'Project Atlas' }).waitFor();
    await close();
  }, 30_000);

  it('fails the download, and says so, when the stored ciphertext was altered after the first megabytes', async () => {
    // Prepare: a byte of the third 1 MiB chunk changed in storage (same size), so two chunks decrypt before the failure.
    const documentId = await upload(pseudoRandomBytes(2_600_000, 20), 'ledger.xlsx');
    const url = await link(documentId);
    const s3 = s3Client(stack.endpoints);
    const stored = await (await s3.send(new GetObjectCommand({ Bucket: stack.bucket, Key: objectKey(documentId, 1) }))).Body!.transformToByteArray();
    stored[2_400_000] = stored[2_400_000]! ^ 0x01;
    await s3.send(new PutObjectCommand({ Bucket: stack.bucket, Key: objectKey(documentId, 1), Body: stored }));
    const { page, close } = await visitor();

    // Act
    await page.goto(url);
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Open' }).click()]);
    const failure = await download.failure();
    await page.getByRole('alert').waitFor();

    // Assess: the browser marks the download failed (never complete), and the page says why.
    expect(failure).not.toBeNull();
    expect(['This link does not open the file', 'The file failed its integrity check']).toContain(await heading(page));
    expect(await page.getByRole('heading', { name: 'Saved' }).count()).toBe(0);
    await close();
  });

  it('says an expired link has expired', async () => {
    // Prepare
    const url = await link(await upload(pseudoRandomBytes(100, 18), 'old.txt'), { expiresAt: new Date(Date.now() + 60_000) });
    const { page, close } = await visitor();
    clock.set(Date.now() + 120_000);
    try {
      // Act
      await openWith(page, url);
      await page.getByRole('heading', { name: 'This link has expired' }).waitFor();
    } finally {
      clock.reset();
    }

    // Assess
    expect(await page.getByRole('alert').textContent()).toContain('Ask the person who sent it for a new link');
    await screenshot(page, 'link-expired');
    await close();
  });

  it('says when the server fails or the connection drops, and lets the visitor try again', async () => {
    // Prepare
    const url = await link(await upload(pseudoRandomBytes(100, 19), 'later.txt'));
    const { page, close } = await visitor();
    await page.route('**/links/open', (route) => route.fulfill({ status: 500, contentType: 'application/json', body: '{"error":{"code":"INTERNAL","message":"Internal error."}}' }));

    // Act
    await openWith(page, url);
    await page.getByRole('heading', { name: 'Coffer had a problem' }).waitFor();
    await page.unroute('**/links/open');
    await page.route(`${stack.endpoints.s3}/**`, (route) => route.abort('connectionreset'));
    await page.getByRole('button', { name: 'Try again' }).click();
    await page.getByRole('button', { name: 'Open' }).click();
    await page.getByRole('heading', { name: 'The download failed' }).waitFor();

    // Assess
    expect(await page.getByRole('button', { name: 'Try again' }).count()).toBe(1);
    await close();
  });
});

describe('seen from the browser', () => {
  it('no request or response carried a file content or name, a link secret or a password', () => {
    // The page, its assets, the Service Worker script, the API and object storage: all recorded (the
    // streamed download itself never reaches the network: the Service Worker answers it in the browser).
    const paths = new Set(recorder.exchanges.map((e) => new URL(e.url).pathname.replace(/[A-Za-z0-9_-]{20,}/g, '*')));
    for (const seen of [/^\/l\/\*$/, /^\/assets\/.+\.js$/, /^\/download-sw\.js$/, /^\/links\/open$/, /^\/coffer-documents\/.+/]) {
      expect([...paths].some((path) => seen.test(path)), String(seen)).toBe(true);
    }
    expect(recorder.exchanges.length).toBeGreaterThan(30);
    expect(recorder.leaks()).toEqual([]);
  });

  it('no page broke the Content-Security-Policy or logged an error', () => {
    const expected = [/status of 500/, /ERR_CONNECTION_RESET|Failed to fetch/, /status of 401|status of 410/];
    expect(recorder.consoleProblems.filter((line) => !expected.some((e) => e.test(line)))).toEqual([]);
    expect(recorder.consoleProblems.filter((line) => /Content Security Policy|Refused to/i.test(line))).toEqual([]);
  });
});

import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type LocalStack, startLocalStack } from '../helpers/localStack.js';
import { pseudoRandomBytes } from '../helpers/pseudoRandomBytes.js';
import { launchChromium } from './browser.js';
import { BrowserRecorder } from './recorder.js';
import { createLinkInPanel, linksPanel, type LinkSettings, openShared, sharePanel } from './appSteps.js';

/**
 * The whole flow in the page only, with three browser contexts: alice and bob register in the
 * page, alice uploads from disk and shares with bob, who downloads it byte-identical; a folder
 * shared with bob shows its documents; someone with no account opens a link with a password and
 * two downloads twice and is refused the third time, and a view-only link shows its text with no
 * download; alice revokes and bob loses the document. One recorder sees every request and
 * response of all three (through the Chrome DevTools Protocol's fetch interception): none carries
 * a file's content or name, a folder name, a passphrase, a link's secret or its password.
 */

let stack: LocalStack;
let browser: Browser;
let recorder: BrowserRecorder;
let dir: string;
let alice: Page;
let bob: Page;

const memo = { name: 'Merger memo – strictly private.bin', bytes: pseudoRandomBytes(300_000, 7) };
const terms = { name: 'Term sheet.txt', bytes: Buffer.from('Term sheet: 40 million, signing on the 3rd of March.\n') };
const folder = 'Falcon deal room';
const PASSWORD = 'blue heron at dawn 77';

beforeAll(async () => {
  [stack, browser, dir] = await Promise.all([startLocalStack({ webRoot: inject('webRoot') }), launchChromium(), mkdtemp(join(tmpdir(), 'coffer-web-e2e-'))]);
  recorder = new BrowserRecorder(browser);
  for (const f of [memo, terms]) {
    await writeFile(join(dir, f.name), f.bytes);
    recorder.keepSecret(`the name ${f.name}`, f.name);
    recorder.keepSecret(`the content of ${f.name}`, f.bytes.subarray(0, 48));
  }
  recorder.keepSecret('the folder name', folder);
  recorder.keepSecret('the link password', PASSWORD);
  [{ page: alice }, { page: bob }] = await Promise.all([recorder.visitor(), recorder.visitor()]);
});

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** Registration in the page with a generated passphrase, written down (as a person would). */
async function register(page: Page, userId: string, name: string): Promise<void> {
  await page.goto(stack.url);
  await page.getByRole('button', { name: 'Create an account' }).click();
  await page.getByLabel(/User id/).fill(userId);
  await page.getByLabel('Your name').fill(name);
  await page.getByRole('button', { name: 'Continue' }).click();
  recorder.keepSecret(`${userId}’s passphrase`, (await page.locator('#new-passphrase').textContent()) ?? '');
  await page.getByLabel('I have written my passphrase down').check();
  await page.getByRole('button', { name: 'Create account' }).click();
  await page.getByRole('heading', { name: 'My files' }).waitFor({ timeout: 60_000 });
}

async function upload(page: Page, file: { name: string }): Promise<void> {
  await page.locator('#upload-files').setInputFiles(join(dir, file.name));
  await page.getByRole('cell', { name: file.name, exact: true }).waitFor({ timeout: 30_000 });
}

async function downloaded(page: Page, name: string): Promise<Buffer> {
  const saved = page.waitForEvent('download');
  await page.getByRole('button', { name: `Download ${name}` }).click();
  return readFile((await (await saved).path())!);
}


/** alice shares `name` with bob as viewer, after looking up bob's key. */
async function shareWithBob(name: string): Promise<void> {
  await alice.getByRole('button', { name: `Share ${name}` }).click();
  await sharePanel(alice).getByLabel('User id').fill('bob');
  await sharePanel(alice).getByRole('button', { name: 'Look up' }).click();
  await sharePanel(alice).locator('#share-fingerprint').waitFor();
  await sharePanel(alice).getByRole('button', { name: 'Share with Bob as viewer' }).click();
  await sharePanel(alice).locator('#share-status').filter({ hasText: `Shared “${name}” with Bob as viewer.` }).waitFor();
  await sharePanel(alice).getByRole('button', { name: 'Close' }).click();
}

/** alice makes a link to `name` from its Links… panel and reads the URL it shows once. */
async function makeLink(name: string, settings: LinkSettings): Promise<string> {
  await alice.getByRole('button', { name: `Links to ${name}`, exact: true }).click();
  const url = await createLinkInPanel(alice, recorder, settings);
  await linksPanel(alice).getByRole('button', { name: 'Close' }).click();
  return url;
}

describe('end to end in the browser: alice, bob and someone with no account', () => {
  it('alice and bob register; alice uploads and shares; bob downloads it byte-identical', async () => {
    await Promise.all([register(alice, 'alice', 'Alice'), register(bob, 'bob', 'Bob')]);
    await upload(alice, memo);
    await shareWithBob(memo.name);

    await openShared(bob);
    await bob.getByRole('cell', { name: memo.name, exact: true }).waitFor();
    expect((await downloaded(bob, memo.name)).equals(memo.bytes)).toBe(true);
  }, 120_000);

  it('a folder shared with bob shows him its documents', async () => {
    await alice.getByRole('button', { name: 'New folder' }).click();
    await alice.getByRole('dialog').getByLabel('Folder name').fill(folder);
    await alice.getByRole('dialog').getByRole('button', { name: 'Save' }).click();
    await alice.getByRole('button', { name: folder, exact: true }).click();
    await alice.getByRole('heading', { name: folder }).waitFor();
    await upload(alice, terms);
    await alice.getByRole('navigation', { name: 'Breadcrumb' }).getByRole('button', { name: 'My files' }).click();
    await shareWithBob(folder);

    await bob.getByRole('button', { name: 'Refresh' }).click();
    await bob.getByRole('button', { name: folder, exact: true }).click();
    await bob.getByRole('heading', { name: folder }).waitFor();
    expect((await downloaded(bob, terms.name)).equals(terms.bytes)).toBe(true);
    await bob.getByRole('navigation', { name: 'Breadcrumb' }).getByRole('button', { name: 'Shared with me' }).click();
  }, 60_000);

  it('someone with no account opens a password link with 2 downloads twice, and is refused the third time', async () => {
    const url = await makeLink(memo.name, { password: PASSWORD, maxDownloads: 2 });
    for (const round of [1, 2]) {
      const stranger = await recorder.visitor();
      await stranger.page.goto(url);
      await stranger.page.getByRole('button', { name: 'Open' }).click();
      await stranger.page.getByLabel('Password').fill(PASSWORD);
      const [download] = await Promise.all([stranger.page.waitForEvent('download', { timeout: 30_000 }), stranger.page.getByRole('button', { name: 'Unlock' }).click()]);
      expect((await readFile((await download.path())!)).equals(memo.bytes), `download ${round}`).toBe(true);
      await stranger.close();
    }
    const third = await recorder.visitor();
    await third.page.goto(url);
    await third.page.getByRole('button', { name: 'Open' }).click();
    await third.page.getByRole('heading', { name: 'This link has been used up' }).waitFor();
    await third.close();
  }, 90_000);

  it('a view-only link shows its text in the page and offers no download', async () => {
    await alice.getByRole('button', { name: folder, exact: true }).click();
    await alice.getByRole('heading', { name: folder }).waitFor();
    const url = await makeLink(terms.name, { viewOnly: true });
    const stranger = await recorder.visitor();
    let downloads = 0;
    stranger.page.on('download', () => downloads++);
    await stranger.page.goto(url);
    await stranger.page.getByRole('button', { name: 'Open' }).click();
    await stranger.page.locator('pre.viewed').waitFor({ timeout: 15_000 });
    expect(await stranger.page.locator('pre.viewed').textContent()).toBe(terms.bytes.toString());
    expect(await stranger.page.getByRole('button', { name: /download|save/i }).count()).toBe(0);
    expect(downloads).toBe(0);
    await stranger.close();
    await alice.getByRole('navigation', { name: 'Breadcrumb' }).getByRole('button', { name: 'My files' }).click();
  }, 60_000);

  it('alice revokes bob: he loses the document, and keeps the folder', async () => {
    await alice.getByRole('button', { name: `Share ${memo.name}` }).click();
    await sharePanel(alice).getByRole('button', { name: 'Revoke Bob (bob)' }).click();
    await alice.getByRole('dialog', { name: 'Revoke access?' }).getByRole('button', { name: 'Revoke' }).click();
    await sharePanel(alice).locator('#share-status').filter({ hasText: 'Bob (bob) no longer has access.' }).waitFor();
    await sharePanel(alice).getByRole('button', { name: 'Close' }).click();

    await bob.getByRole('button', { name: 'Refresh' }).click();
    await expect.poll(() => bob.getByRole('cell', { name: memo.name, exact: true }).count(), { timeout: 15_000 }).toBe(0);
    await bob.getByRole('button', { name: folder, exact: true }).waitFor();
  }, 60_000);

  it('no request or response of the three carried a content, a name, a passphrase, a link secret or its password', () => {
    expect(recorder.exchanges.filter((e) => new URL(e.url).pathname.startsWith('/l/')).length).toBeGreaterThan(0);
    expect(recorder.exchanges.some((e) => e.url.includes('partNumber=') || new URL(e.url).pathname.endsWith('/share'))).toBe(true);
    expect(recorder.leaks()).toEqual([]);
    // Expected: the link asking for its password (401 LINK_PASSWORD_REQUIRED, twice) and the third visit's 410 (used up).
    expect(recorder.consoleProblems.filter((line) => !/status of (401|410)/.test(line))).toEqual([]);
  });
});

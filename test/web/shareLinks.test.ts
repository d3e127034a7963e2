import { readFile } from 'node:fs/promises';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { CofferClient } from '../../client/sdk/CofferClient.js';
import { MemoryKeyPinStore } from '../../client/sdk/KeyPinStore.js';
import { parseLinkUrl, TEST_KDF } from '../../shared/core/crypto/index.js';
import { type LocalStack, startLocalStack } from '../helpers/localStack.js';
import { pseudoRandomBytes } from '../helpers/pseudoRandomBytes.js';
import { launchChromium } from './browser.js';
import { accessibilityProblems, screenshot } from './pageChecks.js';
import { BrowserRecorder } from './recorder.js';
import { createLinkInPanel, linksPanel, type LinkSettings } from './appSteps.js';

/**
 * Share links managed from the signed-in app, in headless Chromium over the local stack: alice
 * (signed in in the page) creates links from a row's "Links…" panel (a password and two
 * downloads, view-only, a folder), reads each URL once, and revokes one; recipients in fresh
 * browser contexts with no account open them on the link page. Every request and response is
 * recorded: none carries a link secret, a password, a file's content or a name.
 */

/** A 1×1 PNG: the view-only image. */
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64');
const PASSPHRASE = 'alice-web-share-links-passphrase';
const PASSWORD = 'marmalade sandwich 42';
const report = { name: 'Payroll Q4 – final.pdf', bytes: pseudoRandomBytes(200_000, 41) };
const notes = { name: 'Board notes.txt', text: 'The board approves the Orchid acquisition.\n' };
const pixel = { name: 'Site plan.png', bytes: PNG };
const bobDocument = 'Bob’s pricing draft.txt';
const folder = { name: 'Orchid deal room', child: 'Term sheet.txt', childText: 'Term sheet: 12 million, closing in March.\n' };

let stack: LocalStack;
let browser: Browser;
let recorder: BrowserRecorder;
let page: Page;
let closeAlice: () => Promise<void>;

beforeAll(async () => {
  [stack, browser] = await Promise.all([startLocalStack({ webRoot: inject('webRoot') }), launchChromium()]);
  recorder = new BrowserRecorder(browser);
  // Setup from Node (not the point here); the account's cost is the production one the page requires.
  const alice = new CofferClient({ serverUrl: stack.url, pinStore: new MemoryKeyPinStore() });
  await alice.register({ userId: 'alice', name: 'Alice', passphrase: PASSPHRASE });
  await alice.upload(report.bytes, { name: report.name });
  await alice.upload(new TextEncoder().encode(notes.text), { name: notes.name });
  await alice.upload(pixel.bytes, { name: pixel.name });
  const { folderId } = await alice.createFolder(folder.name);
  await alice.upload(new TextEncoder().encode(folder.childText), { name: folder.child, parent: folderId });
  for (const name of [report.name, notes.name, pixel.name, folder.name, folder.child, bobDocument]) recorder.keepSecret(`the name ${name}`, name);
  recorder.keepSecret('the report', report.bytes.subarray(5000, 5064));
  recorder.keepSecret('the notes', 'Orchid acquisition');
  recorder.keepSecret('the term sheet', 'closing in March');
  recorder.keepSecret('the link password', PASSWORD);
  recorder.keepSecret('the passphrase', PASSPHRASE);

  let context;
  ({ page, context, close: closeAlice } = await recorder.visitor());
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: stack.url });
  await page.goto(stack.url);
  await page.getByLabel('User id').fill('alice');
  await page.getByLabel('Passphrase').fill(PASSPHRASE);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('cell', { name: report.name, exact: true }).waitFor({ timeout: 60_000 });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

/** Presses Tab until the focused control is named `name` (its label, aria-label or text). */
async function tabTo(name: string): Promise<void> {
  for (let presses = 0; presses < 30; presses++) {
    await page.keyboard.press('Tab');
    const focused = await page.evaluate(() => {
      const at = document.activeElement;
      if (!at) return '';
      const label = at.id ? document.querySelector(`label[for="${at.id}"]`)?.textContent : undefined;
      return at.getAttribute('aria-label') ?? label ?? at.textContent ?? '';
    });
    if (focused === name) return;
  }
  throw new Error(`Tab never reached “${name}”`);
}

/** A datetime-local value (the browser runs on this machine, in its time zone). */
function localInput(at: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${at.getFullYear()}-${pad(at.getMonth() + 1)}-${pad(at.getDate())}T${pad(at.getHours())}:${pad(at.getMinutes())}`;
}

const panel = () => linksPanel(page);

async function openPanel(name: string): Promise<void> {
  await page.getByRole('button', { name: `Links to ${name}`, exact: true }).click();
  await panel().waitFor();
  await panel().getByText(/No links yet|A revoked link is deleted/).waitFor();
}

async function closePanel(): Promise<void> {
  await panel().getByRole('button', { name: 'Close' }).click();
  await panel().waitFor({ state: 'detached' });
}

/** Fills the create form, creates, and reads the URL the panel shows once. */
function createLink(settings: LinkSettings = {}): Promise<string> {
  return createLinkInPanel(page, recorder, settings);
}

/** A recipient: a fresh browser context with no account. */
async function recipient(url: string, password?: string) {
  const visitor = await recorder.visitor();
  await visitor.page.goto(url);
  await visitor.page.getByRole('button', { name: 'Open' }).click();
  if (password !== undefined) {
    await visitor.page.getByLabel('Password').fill(password);
    await visitor.page.getByRole('button', { name: 'Unlock' }).click();
  }
  return visitor;
}

describe('share links from the signed-in app', () => {
  it('creates a password link with 2 downloads, shows its URL once, and its counters reach 2/2, used up', async () => {
    // Act: create it from the panel
    await openPanel(report.name);
    expect(await accessibilityProblems(page)).toEqual([]);
    const form = panel().getByRole('form', { name: 'New link' });
    await form.getByLabel('Password (optional)').fill(PASSWORD);
    await form.getByRole('button', { name: 'Show password' }).click();
    expect(await form.getByLabel('Password (optional)').getAttribute('type')).toBe('text');
    await form.getByRole('button', { name: 'Hide password' }).click();
    expect(await form.getByLabel('Password (optional)').getAttribute('type')).toBe('password');
    const url = await createLink({ maxDownloads: 2 });

    // Assess: shown once, with its warning, and listed
    expect(url).toMatch(new RegExp(`^${stack.url}/l/[A-Za-z0-9_-]{43}#[A-Za-z0-9_-]{43}$`));
    expect(await panel().getByText('this is the only time it is shown').count()).toBe(1);
    await panel().getByRole('button', { name: 'Copy' }).click();
    await panel().getByText('Copied.').waitFor();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(url);
    const row = panel().locator('tbody tr');
    await expect.poll(() => row.locator('td').allTextContents()).toEqual(expect.arrayContaining(['Active', '0 / 2', 'Anyone with the link', 'View and download', 'Yes']));
    expect(await accessibilityProblems(page)).toEqual([]);
    await screenshot(page, 'links-panel');
    await closePanel();
    await openPanel(report.name);
    expect(await panel().getByLabel('Link URL').count()).toBe(0);
    expect(await panel().evaluate((dialog) => dialog.innerHTML.includes('#'))).toBe(false);
    await closePanel();

    // Act: two recipients, then a third
    for (const round of [1, 2]) {
      const visitor = await recorder.visitor();
      await visitor.page.goto(url);
      await visitor.page.getByRole('button', { name: 'Open' }).click();
      await visitor.page.getByLabel('Password').fill(PASSWORD);
      const [download] = await Promise.all([
        visitor.page.waitForEvent('download', { timeout: 30_000 }),
        (async () => {
          await visitor.page.getByRole('button', { name: 'Unlock' }).click();
          // While the worker derives: a moving bar and the words.
          if (round === 1) await visitor.page.getByRole('progressbar', { name: 'Checking the password' }).waitFor();
        })(),
      ]);
      expect(download.suggestedFilename()).toBe(report.name);
      expect(Buffer.compare(await readFile((await download.path())!), report.bytes)).toBe(0);
      await visitor.page.getByRole('heading', { name: 'Saved' }).waitFor();
      expect(await visitor.page.locator('dl.details').textContent()).toContain(`Downloads left${2 - round}`);
      await visitor.close();
    }
    const third = await recorder.visitor();
    await third.page.goto(url);
    await third.page.getByRole('button', { name: 'Open' }).click();
    await third.page.getByRole('heading', { name: 'This link has been used up' }).waitFor();
    await third.close();

    // Assess: alice's panel
    await openPanel(report.name);
    await expect(panel().locator('tbody tr td').allTextContents()).resolves.toEqual(expect.arrayContaining(['Used up', '2 / 2']));
    await closePanel();
  }, 120_000);

  it('refuses bad settings with a clear message and creates nothing', async () => {
    await openPanel(notes.name);
    const form = panel().getByRole('form', { name: 'New link' });
    const problem = form.getByRole('alert');

    await form.getByLabel('Maximum downloads (optional)').fill('0');
    await form.getByRole('button', { name: 'Create link' }).click();
    await expect(problem.textContent()).resolves.toBe('Maximum downloads must be a whole number from 1 to 1,000,000 (or empty for no limit).');

    await form.getByLabel('Maximum downloads (optional)').fill('');
    await form.getByLabel('Expires').fill('2020-01-01T10:00');
    await form.getByRole('button', { name: 'Create link' }).click();
    await expect(problem.textContent()).resolves.toBe('The expiry must be in the future.');

    // Beyond the server's maximum (90 days): its INVALID_EXPIRY, said in days.
    await form.getByLabel('Expires').fill(localInput(new Date(Date.now() + 120 * 86_400_000)));
    await form.getByRole('button', { name: 'Create link' }).click();
    await problem.filter({ hasText: 'days' }).waitFor();
    await expect(problem.textContent()).resolves.toBe('The expiry must be in the future and at most 90 days from now.');

    await form.getByLabel('Expires').fill(localInput(new Date(Date.now() + 30 * 86_400_000)));
    // A guessable password: the SDK's rule (10 characters, 40 bits), checked in the browser.
    await form.getByLabel('Password (optional)').fill('hunter2');
    await form.getByRole('button', { name: 'Create link' }).click();
    await problem.filter({ hasText: 'Link password refused.' }).waitFor({ timeout: 15_000 });
    await form.getByLabel('Password (optional)').fill('');

    await form.getByLabel('Who can open it').selectOption('users');
    await form.getByLabel('User ids').fill('nobody-such');
    await form.getByRole('button', { name: 'Create link' }).click();
    await problem.filter({ hasText: 'nobody-such' }).waitFor({ timeout: 15_000 });
    expect(await problem.textContent()).toContain('Check the user ids.');
    expect(await accessibilityProblems(page)).toEqual([]);
    expect(await panel().getByText('No links yet.').count()).toBe(1);
    await closePanel();
  }, 60_000);

  it('makes view-only links to a text and an image: shown in the page, no download offered', async () => {
    await openPanel(notes.name);
    const textUrl = await createLink({ viewOnly: true });
    await expect.poll(() => panel().locator('tbody tr td').allTextContents()).toContain('View only');
    await closePanel();
    // The image's link with the keyboard alone: Enter on the row's button, Tab to each control, Escape to close.
    await page.getByRole('button', { name: `Links to ${pixel.name}`, exact: true }).focus();
    await page.keyboard.press('Enter');
    await panel().getByText('No links yet.').waitFor();
    await tabTo('View only (no download offered)');
    await page.keyboard.press('Space');
    await tabTo('Create link');
    await page.keyboard.press('Enter');
    const imageField = panel().getByLabel('Link URL');
    await imageField.waitFor({ timeout: 30_000 });
    const imageUrl = await imageField.inputValue();
    recorder.keepSecret('a link secret', parseLinkUrl(imageUrl).secret);
    await expect.poll(() => panel().locator('tbody tr td').allTextContents()).toContain('View only');
    await page.keyboard.press('Escape');
    await panel().waitFor({ state: 'detached' });

    const text = await recipient(textUrl);
    const downloads: string[] = [];
    text.page.on('download', (d) => downloads.push(d.suggestedFilename()));
    await text.page.locator('pre.viewed').waitFor({ timeout: 15_000 });
    expect(await text.page.locator('pre.viewed').textContent()).toBe(notes.text);
    expect(await text.page.getByRole('button', { name: /download|save/i }).count()).toBe(0);
    await text.close();

    const image = await recipient(imageUrl);
    const img = image.page.locator('img.viewed');
    await img.waitFor({ timeout: 15_000 });
    expect(await img.evaluate((el: HTMLImageElement) => el.decode().then(() => el.naturalWidth))).toBe(1);
    expect(await image.page.getByRole('button', { name: /download|save/i }).count()).toBe(0);
    await image.close();
    expect(downloads).toEqual([]);
  }, 60_000);

  it('revokes a link after a confirmation; its recipient is told it no longer exists', async () => {
    await openPanel(notes.name);
    const url = await createLink();
    const rows = panel().locator('tbody tr');
    await expect.poll(() => rows.count()).toBe(2);
    await rows.nth(1).getByRole('button', { name: 'Revoke' }).click();
    const confirm = page.getByRole('dialog', { name: 'Revoke this link?' });
    await confirm.getByRole('button', { name: 'Cancel' }).click();
    await expect(rows.count()).resolves.toBe(2);
    await rows.nth(1).getByRole('button', { name: 'Revoke' }).click();
    await confirm.getByRole('button', { name: 'Revoke' }).click();
    await panel().getByText(`Link revoked: its URL no longer opens “${notes.name}”.`).waitFor();
    await expect.poll(() => rows.count()).toBe(1);
    await closePanel();

    const visitor = await recipient(url);
    await visitor.page.getByRole('heading', { name: 'This link does not exist' }).waitFor();
    expect(await visitor.page.getByRole('alert').textContent()).toContain('It was revoked');
    await visitor.close();
  }, 60_000);

  it('makes a folder link: the recipient sees its children and downloads one', async () => {
    await openPanel(folder.name);
    const url = await createLink();
    await closePanel();

    const visitor = await recipient(url);
    await visitor.page.getByRole('heading', { name: folder.name }).waitFor({ timeout: 15_000 });
    const [download] = await Promise.all([visitor.page.waitForEvent('download'), visitor.page.getByRole('button', { name: `Download ${folder.child}` }).click()]);
    expect(await readFile((await download.path())!, 'utf8')).toBe(folder.childText);
    await visitor.close();
  }, 60_000);

  it('says so when alice may not manage links (an editor of bob’s document, where bob turned editors’ sharing off)', async () => {
    // Prepare
    const bob = new CofferClient({ serverUrl: stack.url, pinStore: new MemoryKeyPinStore(), tuning: { allowWeakKdf: true } });
    await bob.register({ userId: 'bob', name: 'Bob', passphrase: 'bob-web-share-links-passphrase', kdf: TEST_KDF });
    const { documentId } = await bob.upload(new TextEncoder().encode('bob’s draft'), { name: bobDocument });
    await bob.share(documentId, { userIds: ['alice'] }, { role: 'editor' });
    await bob.setEditorsCanShare(documentId, false);
    await page.getByRole('navigation', { name: 'Sections' }).getByRole('button', { name: 'Shared with me' }).click();

    // Act
    await page.getByRole('button', { name: `Links to ${bobDocument}`, exact: true }).click();
    await panel().getByRole('alert').filter({ hasText: 'not allowed' }).waitFor();

    // Assess
    expect(await panel().locator('#links-status').textContent()).toBe(
      'You are not allowed to manage links for this item: it takes its owner, a manager, or an editor where the owner lets editors share.',
    );
    await panel().getByRole('form', { name: 'New link' }).getByRole('button', { name: 'Create link' }).click();
    await panel().getByRole('form', { name: 'New link' }).getByRole('alert').filter({ hasText: 'not allowed' }).waitFor({ timeout: 15_000 });
    expect(await accessibilityProblems(page)).toEqual([]);
    await closePanel();
    await closeAlice();
  }, 60_000);

  it('sent no link secret, password, content or name, logged no error and broke no policy rule', () => {
    expect(recorder.exchanges.some((e) => /\/nodes\/[^/]+\/links$/.test(new URL(e.url).pathname))).toBe(true);
    expect(recorder.leaks()).toEqual([]);
    expect(recorder.consoleProblems.filter((line) => !/status of (400|401|403|404|410|422)/.test(line))).toEqual([]);
  });
});

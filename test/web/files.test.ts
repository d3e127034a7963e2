import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { TEST_KDF } from '../../shared/core/crypto/index.js';
import { CofferClient } from '../../client/sdk/CofferClient.js';
import { MemoryKeyPinStore } from '../../client/sdk/KeyPinStore.js';
import { type LocalStack, startLocalStack } from '../helpers/localStack.js';
import { launchChromium } from './browser.js';
import { accessibilityProblems, screenshot } from './pageChecks.js';
import { BrowserRecorder } from './recorder.js';

/**
 * The signed-in file experience in headless Chromium over the local stack: alice registers in the
 * page, makes a folder, uploads two files into it from disk (multipart: the stack's threshold is
 * lowered to 5 MiB), sees their decrypted names, downloads one byte-identical, renames, moves and
 * deletes with confirmation; a storage drop mid-upload is a message, nothing is listed until the
 * upload is resumed; a document bob shares from Node shows in "Shared with me". No request carries
 * a file's content or name, a folder name or the passphrase.
 */

const MiB = 1024 * 1024;
let stack: LocalStack;
let browser: Browser;
let recorder: BrowserRecorder;
let dir: string;
let page: Page;
let closePage: () => Promise<void>;

const files = {
  big: { name: 'Quarterly figures 2027.bin', bytes: randomBytes(6 * MiB + 123) },
  small: { name: 'Minutes – board.txt', bytes: Buffer.from('The board met and agreed on everything.\n'.repeat(50)) },
  dropped: { name: 'Merger draft.bin', bytes: randomBytes(5 * MiB + 1) },
};
const folder = 'Project Nightingale';
const renamed = 'Project Kestrel';
const inner = 'Archive drawer';
const bobDocument = { name: 'From Bob – pricing.txt', bytes: Buffer.from('bob’s confidential pricing') };

beforeAll(async () => {
  [stack, browser, dir] = await Promise.all([
    startLocalStack({ webRoot: inject('webRoot'), settings: { multipartThreshold: 5 * MiB, partSize: 5 * MiB } }),
    launchChromium(),
    mkdtemp(join(tmpdir(), 'coffer-web-files-')),
  ]);
  recorder = new BrowserRecorder(browser);
  for (const f of Object.values(files)) {
    await writeFile(join(dir, f.name), f.bytes);
    recorder.keepSecret(`the name ${f.name}`, f.name);
    recorder.keepSecret(`the content of ${f.name}`, f.bytes.subarray(0, 64));
  }
  for (const name of [folder, renamed, inner, bobDocument.name]) recorder.keepSecret(`the name ${name}`, name);
  recorder.keepSecret('bob’s content', bobDocument.bytes);
  ({ page, close: closePage } = await recorder.visitor());
});

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function noAxeProblems(): Promise<void> {
  expect(await accessibilityProblems(page)).toEqual([]);
}

async function uploadDone(name: string): Promise<void> {
  await page.getByRole('listitem').filter({ hasText: name }).getByText(/^Uploaded /).waitFor({ timeout: 30_000 });
}

describe('the signed-in file experience', () => {
  it('registers, creates a folder, uploads two files into it and downloads one byte-identical', async () => {
    await page.goto(stack.url);
    await page.getByRole('button', { name: 'Create an account' }).click();
    await page.getByLabel(/User id/).fill('alice');
    await page.getByLabel('Your name').fill('Alice');
    await page.getByRole('button', { name: 'Continue' }).click();
    const passphrase = (await page.locator('#new-passphrase').textContent()) ?? '';
    recorder.keepSecret('the passphrase', passphrase);
    await page.getByLabel('I have written my passphrase down').check();
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.getByRole('heading', { name: 'My files' }).waitFor({ timeout: 30_000 });
    await page.getByText('Nothing here yet').waitFor();

    // A folder, with the dialog
    await page.getByRole('button', { name: 'New folder' }).click();
    await page.getByRole('dialog').getByLabel('Folder name').fill(folder);
    await noAxeProblems();
    await page.getByRole('dialog').getByRole('button', { name: 'Save' }).click();
    await page.getByRole('button', { name: folder, exact: true }).click();
    await page.getByRole('heading', { name: folder }).waitFor();
    expect(await page.getByRole('navigation', { name: 'Breadcrumb' }).textContent()).toBe(`My files${folder}`);

    // Two files from disk, by reference
    await page.locator('#upload-files').setInputFiles([join(dir, files.big.name), join(dir, files.small.name)]);
    await uploadDone(files.big.name);
    await uploadDone(files.small.name);
    await page.getByRole('cell', { name: files.big.name, exact: true }).waitFor();
    await page.getByRole('cell', { name: files.small.name, exact: true }).waitFor();
    await noAxeProblems();
    await screenshot(page, 'files-folder');

    // Sort by size, largest first
    await page.getByRole('button', { name: 'Size' }).click();
    await page.getByRole('button', { name: 'Size' }).click();
    expect(await page.locator('tbody tr td:first-child').allTextContents()).toEqual([files.big.name, files.small.name]);

    // Download one
    const saved = page.waitForEvent('download');
    await page.getByRole('button', { name: `Download ${files.big.name}` }).click();
    const download = await saved;
    expect(download.suggestedFilename()).toBe(files.big.name);
    expect((await readFile((await download.path())!)).equals(files.big.bytes)).toBe(true);
    await page.getByText(`Saved “${files.big.name}”`).waitFor();
  }, 90_000);

  it('renames, moves and deletes, each delete only after a confirmation', async () => {
    // A folder inside, then the small file moved into it
    await page.getByRole('button', { name: 'New folder' }).click();
    await page.getByRole('dialog').getByLabel('Folder name').fill(inner);
    await page.getByRole('dialog').getByRole('button', { name: 'Save' }).click();
    await page.getByRole('button', { name: inner, exact: true }).waitFor();
    await page.getByRole('button', { name: `Move ${files.small.name}` }).click();
    // A modal dialog: labelled, and every control reachable with Tab.
    await page.getByRole('dialog').getByLabel('Destination').waitFor();
    expect(await accessibilityProblems(page)).toEqual([]);
    await page.getByRole('dialog').getByLabel('Destination').selectOption({ label: `${folder} / ${inner}` });
    await page.getByRole('dialog').getByRole('button', { name: 'Move' }).click();
    await page.getByText(`Moved “${files.small.name}”.`).waitFor();
    expect(await page.getByRole('cell', { name: files.small.name, exact: true }).count()).toBe(0);
    await page.getByRole('button', { name: inner, exact: true }).click();
    await page.getByRole('cell', { name: files.small.name, exact: true }).waitFor();

    // Back up by the breadcrumbs, rename the outer folder
    await page.getByRole('navigation', { name: 'Breadcrumb' }).getByRole('button', { name: 'My files' }).click();
    await page.getByRole('heading', { name: 'My files' }).waitFor();
    await page.getByRole('button', { name: `Rename ${folder}` }).click();
    await page.getByRole('dialog').getByLabel('New name').fill(renamed);
    await page.getByRole('dialog').getByRole('button', { name: 'Save' }).click();
    await page.getByRole('button', { name: renamed, exact: true }).waitFor();

    // Delete the big file: cancelled first, then confirmed
    await page.getByRole('button', { name: renamed, exact: true }).click();
    await page.getByRole('button', { name: `Delete ${files.big.name}` }).click();
    await page.getByRole('dialog').getByText('This cannot be undone').waitFor();
    expect(await accessibilityProblems(page)).toEqual([]);
    await noAxeProblems();
    await screenshot(page, 'files-delete-confirm');
    await page.getByRole('dialog').getByRole('button', { name: 'Cancel' }).click();
    await page.getByRole('button', { name: 'Refresh' }).click();
    await page.getByRole('cell', { name: files.big.name, exact: true }).waitFor();
    await page.getByRole('button', { name: `Delete ${files.big.name}` }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Delete' }).click();
    await page.getByText(`Deleted “${files.big.name}”.`).waitFor();
    expect(await page.getByRole('cell', { name: files.big.name, exact: true }).count()).toBe(0);
  }, 60_000);

  it('says so when storage drops mid-upload, lists nothing until the upload is resumed', async () => {
    const context = page.context();
    const storage = `${stack.endpoints.s3}/**`;
    await context.route(storage, (route) => (route.request().method() === 'PUT' ? route.abort('connectionreset') : route.fallback()));
    await page.locator('#upload-files').setInputFiles(join(dir, files.dropped.name));
    const row = page.getByRole('listitem').filter({ hasText: files.dropped.name });
    await row.getByRole('alert').waitFor({ timeout: 30_000 });
    expect(await row.getByRole('alert').textContent()).toMatch(/stopped \(the connection was lost\)\. Nothing was added to your files yet/);
    await noAxeProblems();
    await page.getByRole('button', { name: 'Refresh' }).click();
    await page.getByRole('heading', { name: renamed }).waitFor();
    expect(await page.getByRole('cell', { name: files.dropped.name, exact: true }).count()).toBe(0);

    await context.unroute(storage);
    await page.getByRole('button', { name: `Resume upload of ${files.dropped.name}` }).click();
    await uploadDone(files.dropped.name);
    await page.getByRole('cell', { name: files.dropped.name, exact: true }).waitFor();
  }, 60_000);

  it('says so when the file changes on disk after it was chosen, and leaves nothing half-made', async () => {
    const name = 'Changing draft.bin';
    recorder.keepSecret(`the name ${name}`, name);
    const path = join(dir, name);
    await writeFile(path, randomBytes(24 * MiB));
    await page.locator('#upload-files').setInputFiles(path);
    // The browser took a snapshot of the file when it was chosen; a file changed since cannot be read.
    await writeFile(path, randomBytes(24 * MiB + 7));
    const row = page.getByRole('listitem').filter({ hasText: name });
    await row.getByRole('alert').waitFor({ timeout: 30_000 });
    expect(await row.getByRole('alert').textContent()).toMatch(/could not be read from your disk.*Choose it again/);
    expect(await row.getByRole('button', { name: `Resume upload of ${name}` }).count()).toBe(0);
    await page.getByRole('button', { name: 'Refresh' }).click();
    await page.getByRole('heading', { name: renamed }).waitFor();
    expect(await page.getByRole('cell', { name, exact: true }).count()).toBe(0);
    await noAxeProblems();
  }, 60_000);

  it('says so when the server fails, keeps the page, and recovers on the next try', async () => {
    let failing = true;
    // The account worker makes the API calls: the context's routes see them, the page's do not.
    await page.context().route('**/folders/*/children*', (route) =>
      failing ? route.fulfill({ status: 500, contentType: 'application/json', body: '{"error":{"code":"INTERNAL","message":"Internal error."}}' }) : route.fallback(),
    );
    await page.getByRole('button', { name: 'Refresh' }).click();
    const alert = page.getByRole('alert').filter({ hasText: /server/i });
    await alert.waitFor({ timeout: 15_000 });
    expect(await alert.textContent()).toBe('The server could not answer just now. Try again in a moment.');
    await page.getByRole('heading', { name: renamed }).waitFor();
    failing = false;
    await page.getByRole('button', { name: 'Refresh' }).click();
    await page.getByRole('cell', { name: files.dropped.name, exact: true }).waitFor();
    await page.context().unroute('**/folders/*/children*');
  }, 60_000);

  it('shows in "Shared with me" what bob shared from Node', async () => {
    const bob = new CofferClient({ serverUrl: stack.url, pinStore: new MemoryKeyPinStore(), tuning: { allowWeakKdf: true, accountKdf: TEST_KDF } });
    await bob.register({ userId: 'bob', name: 'Bob', passphrase: 'bob-web-files-passphrase', kdf: TEST_KDF });
    const { documentId } = await bob.upload(bobDocument.bytes, { name: bobDocument.name });
    await bob.share(documentId, { userIds: ['alice'] });

    await page.getByRole('navigation', { name: 'Sections' }).getByRole('button', { name: 'Shared with me' }).click();
    await page.getByRole('heading', { name: 'Shared with me' }).waitFor();
    const row = page.getByRole('row').filter({ hasText: bobDocument.name });
    await row.waitFor();
    expect(await row.locator('td').allTextContents()).toEqual(expect.arrayContaining([bobDocument.name, 'bob', 'viewer']));
    // A viewer may download, not rename, move or delete.
    expect(await row.getByRole('button').allTextContents()).toEqual(['Download']);
    await noAxeProblems();
    await screenshot(page, 'files-shared');
    await page.getByRole('navigation', { name: 'Sections' }).getByRole('button', { name: 'My files' }).click();
    await page.getByRole('button', { name: renamed, exact: true }).waitFor();
    await noAxeProblems();
    await screenshot(page, 'files-mine');
    await closePage();
  }, 60_000);

  it('sent no content, name or passphrase, logged no error and broke no policy rule', () => {
    expect(recorder.exchanges.some((e) => e.url.includes('partNumber='))).toBe(true);
    expect(recorder.leaks()).toEqual([]);
    expect(recorder.consoleProblems.filter((line) => !/ERR_CONNECTION_RESET|status of 401|status of 500/.test(line))).toEqual([]);
  });
});

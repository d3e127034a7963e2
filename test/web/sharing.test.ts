import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { MIN_PRODUCTION_KDF } from '../../shared/core/crypto/index.js';
import { CofferClient } from '../../client/sdk/CofferClient.js';
import { MemoryKeyPinStore } from '../../client/sdk/KeyPinStore.js';
import { type LocalStack, startLocalStack } from '../helpers/localStack.js';
import { launchChromium } from './browser.js';
import { accessibilityProblems, screenshot } from './pageChecks.js';
import { BrowserRecorder } from './recorder.js';
import { openShared, sharePanel } from './appSteps.js';

/**
 * Sharing in headless Chromium over the local stack, with two browser contexts: alice (the
 * owner) and bob. Both accounts are made from Node (registration is not the point here) and sign
 * in through the page. alice shares a document after seeing bob's key fingerprint, bob downloads
 * it byte-identical, alice revokes and bob loses it; a folder shared is opened by bob; alice's
 * pins survive a reload (IndexedDB), and a changed key for bob (her pin made to differ, as after
 * bob registered a new key) shows both fingerprints and shares nothing until she accepts it. No
 * request carries a file's content or name, a folder name or a passphrase.
 */

let stack: LocalStack;
let browser: Browser;
let recorder: BrowserRecorder;
let dir: string;
let alice: Page;
let bob: Page;
let aliceNode: CofferClient;
let bobNode: CofferClient;
let bobFingerprint: string;

const passphrases = { alice: 'alice-shares-heron-plans-carefully-2027', bob: 'bob-reads-what-alice-shares-2027' };
const minutes = { name: 'Board minutes – secret.txt', bytes: Buffer.from('The board agreed to buy the heron sanctuary.\n'.repeat(40)) };
const plan = { name: 'Heron plan.txt', bytes: Buffer.from('Phase one: the reeds. Phase two: the herons.\n') };
const salary = { name: 'Salary review 2027.txt', bytes: Buffer.from('Everyone gets a raise.\n') };
const folder = 'Project Heron';
const groupName = 'Heron team';
/** A fingerprint bob's key never had: alice's pin set to it is a key change seen from her side. */
const OLD_FINGERPRINT = 'ab'.repeat(32);

beforeAll(async () => {
  [stack, browser, dir] = await Promise.all([startLocalStack({ webRoot: inject('webRoot') }), launchChromium(), mkdtemp(join(tmpdir(), 'coffer-web-sharing-'))]);
  recorder = new BrowserRecorder(browser);
  for (const f of [minutes, plan, salary]) {
    recorder.keepSecret(`the name ${f.name}`, f.name);
    recorder.keepSecret(`the content of ${f.name}`, f.bytes.subarray(0, 40));
  }
  recorder.keepSecret('the folder name', folder);
  for (const [who, passphrase] of Object.entries(passphrases)) recorder.keepSecret(`${who}’s passphrase`, passphrase);
  await writeFile(join(dir, minutes.name), minutes.bytes);

  const account = async (userId: string, name: string, passphrase: string) => {
    const client = new CofferClient({ serverUrl: stack.url, pinStore: new MemoryKeyPinStore() });
    await client.register({ userId, name, passphrase, kdf: MIN_PRODUCTION_KDF });
    return client;
  };
  [aliceNode, bobNode] = await Promise.all([account('alice', 'Alice', passphrases.alice), account('bob', 'Bob', passphrases.bob)]);
  bobFingerprint = (await bobNode.whoami()).fingerprint;
  [{ page: alice }, { page: bob }] = await Promise.all([recorder.visitor(), recorder.visitor()]);
});

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** Signs in through the page, remembering the device (a reload then resumes without the passphrase). */
async function signIn(page: Page, userId: 'alice' | 'bob'): Promise<void> {
  await page.goto(stack.url);
  await page.getByLabel('User id').fill(userId);
  await page.getByLabel('Passphrase').fill(passphrases[userId]);
  await page.getByLabel('Remember this device').check();
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'My files' }).waitFor({ timeout: 30_000 });
}

const panel = sharePanel;

async function panelSays(page: Page, text: string | RegExp): Promise<void> {
  await panel(page).locator('#share-status').filter({ hasText: text }).waitFor();
}

/** The fingerprint as the panel shows it, without the spaces between groups. */
async function shown(page: Page, id: string): Promise<string> {
  return ((await panel(page).locator(`#${id}`).textContent()) ?? '').replaceAll(' ', '');
}

/** What alice's browser has pinned for `pinId` (read by the page's own script, as the worker stores it). */
function pinOf(page: Page, pinId: string): Promise<string | undefined> {
  return page.evaluate(
    (pinId) =>
      new Promise<string | undefined>((resolve, reject) => {
        const open = indexedDB.open('coffer-pins', 1);
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const get = open.result.transaction('pins').objectStore('pins').get([location.origin, 'alice', pinId]);
          get.onsuccess = () => resolve((get.result as { fingerprint?: string } | undefined)?.fingerprint);
          get.onerror = () => reject(get.error);
        };
      }),
    pinId,
  );
}

async function bobCanList(documentId: string): Promise<boolean> {
  for await (const entry of bobNode.listAll()) if (entry.documentId === documentId) return true;
  return false;
}

describe('sharing in the web app', () => {
  it('alice shares a document with bob as viewer after seeing his fingerprint; bob downloads it byte-identical', async () => {
    await signIn(alice, 'alice');
    await alice.locator('#upload-files').setInputFiles(join(dir, minutes.name));
    await alice.getByRole('cell', { name: minutes.name, exact: true }).waitFor({ timeout: 30_000 });

    await alice.getByRole('button', { name: `Share ${minutes.name}` }).click();
    await panel(alice).getByRole('row').filter({ hasText: 'Alice (you)' }).filter({ hasText: 'owner' }).waitFor();
    // Every bad input is a message in the panel.
    await panel(alice).getByRole('button', { name: 'Look up' }).click();
    await panelSays(alice, 'Type a user id or choose a group.');
    await panel(alice).getByLabel('User id').fill('nobody');
    await panel(alice).getByRole('button', { name: 'Look up' }).click();
    await panelSays(alice, 'No user with that id.');
    await panel(alice).getByLabel('User id').fill('bob');
    await panel(alice).getByLabel(/^Expires on/).fill('2020-01-01');
    await panel(alice).getByRole('button', { name: 'Look up' }).click();
    await panelSays(alice, 'The expiry date is in the past');
    expect(await panel(alice).locator('#share-status').getAttribute('role')).toBe('alert');
    await panel(alice).getByLabel(/^Expires on/).fill('');

    await panel(alice).getByRole('button', { name: 'Look up' }).click();
    await panel(alice).locator('#share-fingerprint').waitFor();
    expect(await shown(alice, 'share-fingerprint')).toBe(bobFingerprint);
    await panel(alice).getByText('First share with this key in this browser').waitFor();
    expect(await accessibilityProblems(alice)).toEqual([]);
    await screenshot(alice, 'share-panel');
    await panel(alice).getByRole('button', { name: 'Share with Bob as viewer' }).click();
    await panelSays(alice, `Shared “${minutes.name}” with Bob as viewer.`);
    const bobRow = panel(alice).getByRole('row').filter({ hasText: 'Bob (bob)' });
    expect(await bobRow.locator('td').allTextContents()).toEqual(expect.arrayContaining(['Bob (bob)', 'viewer', 'direct', 'never']));
    await panel(alice).getByRole('button', { name: 'Close' }).click();

    await signIn(bob, 'bob');
    // bob sees his own fingerprint, the one alice was shown: what they compare out of band.
    expect((await bob.locator('#own-fingerprint').textContent())?.replaceAll(' ', '')).toBe(bobFingerprint);
    await openShared(bob);
    const row = bob.getByRole('row').filter({ hasText: minutes.name });
    expect(await row.locator('td').allTextContents()).toEqual(expect.arrayContaining([minutes.name, 'alice', 'viewer']));
    // A viewer may not share: no Share… button.
    expect(await row.getByRole('button').allTextContents()).toEqual(['Download']);
    const saved = bob.waitForEvent('download');
    await row.getByRole('button', { name: `Download ${minutes.name}` }).click();
    const download = await saved;
    expect((await readFile((await download.path())!)).equals(minutes.bytes)).toBe(true);
  }, 120_000);

  it('alice revokes with a confirmation; bob’s stale download fails with a message, and after a reload the document is gone', async () => {
    await alice.getByRole('button', { name: `Share ${minutes.name}` }).click();
    await panel(alice).getByRole('button', { name: 'Revoke Bob (bob)' }).click();
    const confirm = alice.getByRole('dialog', { name: 'Revoke access?' });
    await confirm.getByText('The document gets a new key').waitFor();
    await confirm.getByRole('button', { name: 'Revoke' }).click();
    await panelSays(alice, /^Bob \(bob\) no longer has access\. The document’s key was rotated \(generation 2\)\.$/);
    expect(await panel(alice).getByRole('row').filter({ hasText: 'Bob (bob)' }).count()).toBe(0);
    await panel(alice).getByRole('button', { name: 'Close' }).click();

    // bob's page still lists it: the download is refused with a message, and nothing is saved.
    let downloads = 0;
    bob.on('download', () => downloads++);
    await bob.getByRole('button', { name: `Download ${minutes.name}` }).click();
    await bob.getByRole('alert').filter({ hasText: 'no access' }).waitFor();
    expect(downloads).toBe(0);
    await bob.reload();
    await bob.getByRole('heading', { name: 'My files' }).waitFor({ timeout: 30_000 });
    await openShared(bob);
    await bob.getByText('Nothing is shared with you yet.').waitFor();
  }, 60_000);

  it('alice shares a folder, changes bob’s level; bob opens the folder and sees its document', async () => {
    const { folderId } = await aliceNode.createFolder(folder);
    await aliceNode.upload(plan.bytes, { name: plan.name, parent: folderId });
    await alice.getByRole('button', { name: 'Refresh' }).click();
    await alice.getByRole('button', { name: `Share ${folder}` }).click();
    await panel(alice).getByLabel('User id').fill('bob');
    await panel(alice).getByRole('button', { name: 'Look up' }).click();
    await panel(alice).getByText('This is the key this browser pinned for them before.').waitFor();
    expect(await shown(alice, 'share-fingerprint')).toBe(bobFingerprint);
    await panel(alice).getByRole('button', { name: 'Share with Bob as viewer' }).click();
    await panelSays(alice, `Shared “${folder}” with Bob as viewer.`);
    await panel(alice).getByLabel('Level for Bob (bob)').selectOption('commenter');
    await panel(alice).getByRole('button', { name: 'Change the level of Bob (bob)' }).click();
    await panelSays(alice, 'Bob (bob) is now commenter.');
    await panel(alice).getByRole('row').filter({ hasText: 'Bob (bob)' }).filter({ hasText: 'commenter' }).waitFor();
    await panel(alice).getByRole('button', { name: 'Close' }).click();

    // Inside the folder, bob's access shows where it comes from, by the folder's name.
    await alice.getByRole('button', { name: folder, exact: true }).click();
    await alice.getByRole('button', { name: `Share ${plan.name}` }).click();
    const inherited = panel(alice).getByRole('row').filter({ hasText: 'Bob (bob)' });
    await inherited.waitFor();
    expect(await inherited.locator('td').allTextContents()).toEqual(['Bob (bob)', 'commenter', `from folder “${folder}”`, 'never', '']);
    expect(await inherited.getByRole('button').count()).toBe(0); // revoked on the folder, not here
    await panel(alice).getByRole('button', { name: 'Close' }).click();
    await alice.getByRole('navigation', { name: 'Breadcrumb' }).getByRole('button', { name: 'My files' }).click();

    await bob.getByRole('button', { name: 'Refresh' }).click();
    await bob.getByRole('button', { name: folder, exact: true }).click();
    await bob.getByRole('heading', { name: folder }).waitFor();
    await bob.getByRole('cell', { name: plan.name, exact: true }).waitFor();
  }, 60_000);

  it('shares with a group alice is in, from the keyboard; bob, a member, can read it through the group', async () => {
    const team = await aliceNode.createGroup(groupName);
    await aliceNode.addGroupMembers(team.groupId, [{ userId: 'bob' }]);
    await alice.getByRole('button', { name: `Share ${minutes.name}` }).focus();
    await alice.keyboard.press('Enter');
    await panel(alice).getByLabel('Or a group you are in').selectOption({ label: groupName });
    await panel(alice).getByLabel('Level').selectOption('commenter');
    await panel(alice).getByRole('button', { name: 'Look up' }).focus();
    await alice.keyboard.press('Enter');
    await panel(alice).getByText('First share with this key in this browser').waitFor();
    expect(await shown(alice, 'share-fingerprint')).toBe(team.fingerprint);
    await panel(alice).getByRole('button', { name: `Share with ${groupName} as commenter` }).focus();
    await alice.keyboard.press('Enter');
    await panelSays(alice, `Shared “${minutes.name}” with ${groupName} as commenter.`);
    await panel(alice).getByRole('row').filter({ hasText: `${groupName} (group)` }).filter({ hasText: 'commenter' }).waitFor();
    await alice.keyboard.press('Escape');
    expect(await panel(alice).count()).toBe(0);

    // bob, a member, finds it in "Shared with me", its level named by the group it comes through,
    // and downloads it in the page through the group's key.
    await openShared(bob);
    await bob.getByRole('button', { name: 'Refresh' }).click();
    const row = bob.getByRole('row').filter({ hasText: minutes.name });
    await row.getByRole('cell', { name: `commenter via ${groupName}`, exact: true }).waitFor();
    const saved = bob.waitForEvent('download');
    await row.getByRole('button', { name: `Download ${minutes.name}` }).click();
    expect((await readFile((await (await saved).path())!)).equals(minutes.bytes)).toBe(true);
  }, 60_000);

  it('keeps alice’s pins across a reload; a changed key for bob shows both fingerprints and shares nothing until she accepts it', async () => {
    await alice.reload();
    await alice.getByRole('heading', { name: 'My files' }).waitFor({ timeout: 30_000 });
    expect(await pinOf(alice, 'bob')).toBe(bobFingerprint);

    const { documentId } = await aliceNode.upload(salary.bytes, { name: salary.name });
    await alice.getByRole('button', { name: 'Refresh' }).click();
    await alice.getByRole('button', { name: `Share ${salary.name}` }).click();
    await panel(alice).getByLabel('User id').fill('bob');
    await panel(alice).getByRole('button', { name: 'Look up' }).click();
    await panel(alice).locator('#share-fingerprint').waitFor();
    // bob's key changes (seen from alice's side: her pin is not the key the server presents).
    await alice.evaluate(
      (fingerprint) =>
        new Promise<void>((resolve, reject) => {
          const open = indexedDB.open('coffer-pins', 1);
          open.onerror = () => reject(open.error);
          open.onsuccess = () => {
            const tx = open.result.transaction('pins', 'readwrite');
            tx.objectStore('pins').put({ server: location.origin, owner: 'alice', pinId: 'bob', fingerprint, pinnedAt: new Date().toISOString() });
            tx.oncomplete = () => resolve();
            tx.onerror = () => reject(tx.error);
          };
        }),
      OLD_FINGERPRINT,
    );
    await panel(alice).getByRole('button', { name: 'Share with Bob as viewer' }).click();
    const warning = panel(alice).getByRole('alert').filter({ hasText: 'has changed' });
    await warning.getByText('The key of Bob (bob) has changed since this browser pinned it. Nothing was shared.').waitFor();
    expect(await shown(alice, 'pinned-fingerprint')).toBe(OLD_FINGERPRINT);
    expect(await shown(alice, 'new-fingerprint')).toBe(bobFingerprint);
    expect(await panel(alice).getByRole('button', { name: /^Share with/ }).count()).toBe(0);
    expect(await bobCanList(documentId)).toBe(false);
    expect(await accessibilityProblems(alice)).toEqual([]);
    await screenshot(alice, 'share-key-changed');

    await panel(alice).getByRole('button', { name: 'Accept new key for Bob (bob)' }).click();
    await panelSays(alice, 'New key accepted and pinned for Bob. Nothing is shared yet');
    expect(await pinOf(alice, 'bob')).toBe(bobFingerprint);
    expect(await bobCanList(documentId)).toBe(false);
    await panel(alice).getByRole('button', { name: 'Share with Bob as viewer' }).click();
    await panelSays(alice, `Shared “${salary.name}” with Bob as viewer.`);
    expect(await bobCanList(documentId)).toBe(true);
  }, 60_000);

  it('sent no content, name or passphrase, logged no unexpected error and broke no policy rule', () => {
    expect(recorder.exchanges.some((e) => e.url.includes('/share'))).toBe(true);
    expect(recorder.leaks()).toEqual([]);
    // Expected: the unknown user's look-up is answered in full (no error), bob's stale download is a 404.
    expect(recorder.consoleProblems.filter((line) => !/status of (401|404)/.test(line))).toEqual([]);
  });
});

import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { CofferClient } from '../../client/sdk/CofferClient.js';
import { MemoryKeyPinStore } from '../../client/sdk/KeyPinStore.js';
import { type LocalStack, startLocalStack } from '../helpers/localStack.js';
import { launchChromium } from './browser.js';
import { accessibilityProblems, screenshot } from './pageChecks.js';
import { BrowserRecorder } from './recorder.js';

/**
 * Sign-in, registration and My files in headless Chromium over the local stack: the account is
 * made in the browser (key pair and Argon2id in the account worker, at the production cost), its
 * generated passphrase shown once; a file uploaded from Node under that account appears with its
 * name decrypted in the page. No request carries the passphrase or the name.
 */

let stack: LocalStack;
let browser: Browser;
let recorder: BrowserRecorder;

beforeAll(async () => {
  [stack, browser] = await Promise.all([startLocalStack({ webRoot: inject('webRoot') }), launchChromium()]);
  recorder = new BrowserRecorder(browser);
});

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

describe('sign-in and My files', () => {
  it('registers in the browser with a generated passphrase, lists a file by its decrypted name, signs out and back in', async () => {
    const { page, close } = await recorder.visitor();
    const name = 'Budget 2027 – confidential.xlsx';
    recorder.keepSecret('the file name', name);

    // Act: register
    await page.goto(stack.url);
    await page.getByRole('heading', { name: 'Sign in to Coffer' }).waitFor();
    expect(await accessibilityProblems(page)).toEqual([]);
    await screenshot(page, 'sign-in');
    await page.getByRole('button', { name: 'Create an account' }).click();
    await page.getByLabel(/User id/).fill('carol');
    await page.getByLabel('Your name').fill('Carol');
    await page.getByRole('button', { name: 'Continue' }).click();
    const passphrase = (await page.locator('#new-passphrase').textContent()) ?? '';
    recorder.keepSecret('the passphrase', passphrase);
    expect(passphrase.split('-')).toHaveLength(7);
    expect(await accessibilityProblems(page)).toEqual([]);
    await screenshot(page, 'register-passphrase');
    await page.getByRole('button', { name: 'Create account' }).click();
    // Not created before the passphrase is confirmed written down.
    expect(await page.getByRole('heading', { name: 'Your passphrase' }).count()).toBe(1);
    await page.getByLabel('I have written my passphrase down').check();
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.getByRole('heading', { name: 'My files' }).waitFor({ timeout: 20_000 });

    // A file uploaded under that account from Node (the SDK, as the CLI would).
    const node = new CofferClient({ serverUrl: stack.url, pinStore: new MemoryKeyPinStore() });
    await node.login('carol', passphrase);
    await node.upload(new TextEncoder().encode('figures'), { name });
    await page.getByRole('button', { name: 'Refresh' }).click();
    await page.getByRole('cell', { name, exact: true }).waitFor();

    // Assess
    expect(await page.getByText('Signed in as Carol (carol)').count()).toBe(1);
    expect(await accessibilityProblems(page)).toEqual([]);
    await screenshot(page, 'my-files');

    // Sign out, a wrong passphrase, then the right one
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('User id').fill('carol');
    await page.getByLabel('Passphrase').fill('not-my-passphrase');
    recorder.keepSecret('a wrong passphrase', 'not-my-passphrase');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').waitFor({ timeout: 20_000 });
    expect(await page.getByRole('alert').textContent()).toBe('Wrong user id or passphrase.');
    await page.getByLabel('User id').fill('carol');
    await page.getByLabel('Passphrase').fill(passphrase);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('cell', { name, exact: true }).waitFor({ timeout: 20_000 });
    await close();
  }, 90_000);

  it('sent no passphrase and no file name, logged no error and broke no policy rule', () => {
    expect(recorder.exchanges.some((e) => e.url.endsWith('/auth/token'))).toBe(true);
    expect(recorder.exchanges.some((e) => e.url.endsWith('/users'))).toBe(true);
    expect(recorder.leaks()).toEqual([]);
    expect(recorder.consoleProblems.filter((line) => !/status of 401/.test(line))).toEqual([]);
  });
});

import type { Locator, Page } from 'playwright-core';
import { parseLinkUrl } from '../../shared/core/crypto/index.js';
import type { BrowserRecorder } from './recorder.js';

/** Steps through the signed-in app that several browser tests take the same way. */

/** The open Share… panel. */
export function sharePanel(page: Page): Locator {
  return page.getByRole('dialog', { name: /^Share “/ });
}

/** The open Links… panel. */
export function linksPanel(page: Page): Locator {
  return page.getByRole('dialog', { name: /^Links to / });
}

/** The "Shared with me" section, from the section buttons. */
export async function openShared(page: Page): Promise<void> {
  await page.getByRole('navigation', { name: 'Sections' }).getByRole('button', { name: 'Shared with me' }).click();
  await page.getByRole('heading', { name: 'Shared with me' }).waitFor();
}

export interface LinkSettings {
  password?: string;
  maxDownloads?: number;
  viewOnly?: boolean;
}

/** Fills the open Links… panel's create form, creates, and reads the URL it shows once (its secret kept from every request). */
export async function createLinkInPanel(page: Page, recorder: BrowserRecorder, settings: LinkSettings = {}): Promise<string> {
  const form = linksPanel(page).getByRole('form', { name: 'New link' });
  if (settings.password !== undefined) await form.getByLabel('Password (optional)').fill(settings.password);
  if (settings.maxDownloads !== undefined) await form.getByLabel('Maximum downloads (optional)').fill(String(settings.maxDownloads));
  if (settings.viewOnly) await form.getByLabel('View only (no download offered)').check();
  await form.getByRole('button', { name: 'Create link' }).click();
  const field = linksPanel(page).getByLabel('Link URL');
  await field.waitFor({ timeout: 30_000 });
  const url = await field.inputValue();
  recorder.keepSecret('a link secret', parseLinkUrl(url).secret);
  return url;
}

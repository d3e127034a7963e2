import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from './browser.js';
import { accessibilityProblems, keyboardUnreachable } from './pageChecks.js';

/** The page checks every web test relies on find what they claim to find (a check that cannot fail proves nothing). */
let browser: Browser;
let page: Page;

beforeAll(async () => {
  browser = await launchChromium();
  page = await browser.newPage();
}, 60_000);
afterAll(() => browser?.close());

describe('keyboardUnreachable', () => {
  it('names a control taken out of the Tab order and a clickable role without a tabindex, and only those', async () => {
    await page.setContent(`
      <main>
        <h1>Check</h1>
        <label>Name <input id="name"></label>
        <button>Reachable</button>
        <button tabindex="-1">Skipped</button>
        <span role="button">Fake button</span>
        <fieldset><legend>Level</legend>
          <label><input type="radio" name="level" value="a" checked> A</label>
          <label><input type="radio" name="level" value="b"> B</label>
        </fieldset>
        <button disabled>Disabled</button>
        <button hidden>Hidden</button>
        <a href="#top">A link</a>
      </main>`);
    expect(await keyboardUnreachable(page)).toEqual(['button "Skipped"', 'span "Fake button"']);
  });

  it('counts only the modal dialog’s controls while one is open', async () => {
    await page.setContent(`<main><button>Behind</button><dialog><button>Inside</button><button tabindex="-1">Trapped</button></dialog></main>`);
    await page.evaluate(() => document.querySelector('dialog')!.showModal());
    expect(await keyboardUnreachable(page)).toEqual(['button "Trapped"']);
  });
});

describe('accessibilityProblems', () => {
  it('reports axe’s serious findings (an unlabelled input) and the keyboard ones', async () => {
    await page.setContent(`<!doctype html><html lang="en"><head><title>t</title></head><body><main><h1>t</h1><input><button tabindex="-1">Hidden from Tab</button></main></body></html>`);
    const problems = await accessibilityProblems(page);
    expect(problems.some((p) => p.startsWith('label:'))).toBe(true);
    expect(problems).toContain('keyboard: button "Hidden from Tab" is not reachable with Tab');
  });

  it('is empty for a small page that is fine', async () => {
    await page.setContent(`<!doctype html><html lang="en"><head><title>t</title></head><body><main><h1>t</h1><label>Name <input></label><button>Go</button></main></body></html>`);
    expect(await accessibilityProblems(page)).toEqual([]);
  });
});

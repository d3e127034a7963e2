import { mkdir, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { Page } from 'playwright-core';

/**
 * Where the run's screenshots go: docs/screenshots (shown in the README) when COFFER_SCREENSHOTS=1
 * (`npm run screenshots`), else a git-ignored folder, so that a test run leaves the tree clean
 * (dates and generated passphrases differ on every run).
 */
const SCREENSHOTS = join(import.meta.dirname, process.env.COFFER_SCREENSHOTS === '1' ? '../../docs/screenshots' : '../../.screenshots');
const AXE_SOURCE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
let axeSource: Promise<string> | undefined;

/** A screenshot of the page as <name>.png (see SCREENSHOTS). */
export async function screenshot(page: Page, name: string): Promise<void> {
  await mkdir(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`) });
}

/**
 * The page's accessibility problems: axe-core's serious and critical findings (injected with
 * evaluate: the policy blocks an added script tag), then every visible control that Tab never
 * reaches (keyboardUnreachable). Empty when the page is fine.
 */
export async function accessibilityProblems(page: Page): Promise<string[]> {
  return [...(await axeProblems(page)), ...(await keyboardUnreachable(page)).map((c) => `keyboard: ${c} is not reachable with Tab`)];
}

/**
 * Walks the page with Tab from the top and names each visible, enabled control it never focused:
 * buttons, links, inputs, selects, text areas, summaries, elements with a control's role or any
 * tabindex ≥ 0 (so `tabindex="-1"` on a control is found, while a heading or region focused
 * by script, as a page change moves focus there, is not a control). An
 * open modal dialog makes the rest of the page inert, so then only the dialog's controls count.
 * A radio group counts as reached when one of its radios is (Tab enters a group once).
 */
export async function keyboardUnreachable(page: Page): Promise<string[]> {
  const count = await page.evaluate(() => {
    const modal = document.querySelector('dialog:modal');
    const scope: ParentNode = modal ?? document;
    const selector = 'a[href], button, input, select, textarea, summary, [tabindex]:not([tabindex^="-"]), [role="button"], [role="link"], [role="tab"], [role="menuitem"], [role="checkbox"]';
    const controls = Array.from(scope.querySelectorAll<HTMLElement>(selector)).filter((e) => {
      // A control taken out of the Tab order (tabindex="-1") still counts: that is the defect sought.
      return !(e as HTMLButtonElement).disabled && !e.closest('[inert]') && e.getClientRects().length > 0 && getComputedStyle(e).visibility !== 'hidden';
    });
    controls.forEach((e, i) => e.setAttribute('data-keyboard-check', e instanceof HTMLInputElement && e.type === 'radio' ? `radio:${e.name}` : String(i)));
    // Every focus the walk makes is noted here, so the walk asks the page only now and then.
    const reached = new Set<string>();
    const note = (event: FocusEvent) => {
      const mark = (event.target as HTMLElement | null)?.getAttribute?.('data-keyboard-check');
      if (mark) reached.add(mark);
    };
    Object.assign(globalThis, { keyboardReached: reached, keyboardNote: note });
    document.addEventListener('focusin', note);
    (document.activeElement as HTMLElement | null)?.blur();
    return new Set(controls.map((e) => e.getAttribute('data-keyboard-check'))).size;
  });
  const reachedCount = () => page.evaluate(() => (globalThis as unknown as { keyboardReached: Set<string> }).keyboardReached.size);
  for (let i = 0; i < count * 2 + 10; i++) {
    await page.keyboard.press('Tab');
    if (i % 8 === 7 && (await reachedCount()) >= count) break;
  }
  return page.evaluate(() => {
    const { keyboardReached: seen, keyboardNote } = globalThis as unknown as { keyboardReached: Set<string>; keyboardNote: (event: FocusEvent) => void };
    document.removeEventListener('focusin', keyboardNote);
    const missed: string[] = [];
    for (const e of Array.from(document.querySelectorAll<HTMLElement>('[data-keyboard-check]'))) {
      const mark = e.getAttribute('data-keyboard-check')!;
      e.removeAttribute('data-keyboard-check');
      if (seen.has(mark)) continue;
      const name = e.getAttribute('aria-label') ?? (e.textContent?.trim() || (e as HTMLInputElement).labels?.[0]?.textContent?.trim() || e.id || e.outerHTML.slice(0, 60));
      missed.push(`${e.tagName.toLowerCase()} "${name}"`);
    }
    return missed;
  });
}

async function axeProblems(page: Page): Promise<string[]> {
  await page.evaluate(await (axeSource ??= readFile(AXE_SOURCE, 'utf8')));
  const found = await page.evaluate(async () => {
    const axe = (globalThis as unknown as { axe: { run(): Promise<{ violations: { id: string; impact: string | null; help: string }[] }> } }).axe;
    const { violations } = await axe.run();
    return violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help }));
  });
  return found.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id}: ${v.help}`);
}

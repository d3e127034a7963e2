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

/** axe-core inside the page (injected with evaluate: the policy blocks an added script tag); serious and critical findings only. */
export async function accessibilityProblems(page: Page): Promise<string[]> {
  await page.evaluate(await (axeSource ??= readFile(AXE_SOURCE, 'utf8')));
  const found = await page.evaluate(async () => {
    const axe = (globalThis as unknown as { axe: { run(): Promise<{ violations: { id: string; impact: string | null; help: string }[] }> } }).axe;
    const { violations } = await axe.run();
    return violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help }));
  });
  return found.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id}: ${v.help}`);
}

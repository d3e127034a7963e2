import { existsSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { chromium, type Browser } from 'playwright-core';

/** Debian's Chromium (`apt-get install -y chromium`; .ci/run installs it): Playwright never downloads a browser here. */
export const CHROMIUM = '/usr/bin/chromium';

/** One headless Chromium for a test file (Playwright adds --headless and --no-sandbox). */
export async function launchChromium(): Promise<Browser> {
  await chromiumInstalled();
  return chromium.launch({ executablePath: CHROMIUM });
}

/**
 * .ci/run installs Chromium in the background while the other tests run, and removes the flag file
 * named by COFFER_CHROMIUM_PENDING when apt is done (the web project's hook timeout allows for it).
 */
async function chromiumInstalled(): Promise<void> {
  const pending = process.env.COFFER_CHROMIUM_PENDING;
  while (pending && existsSync(pending)) await sleep(1000);
  if (!existsSync(CHROMIUM)) throw new Error(`No Chromium at ${CHROMIUM}: install it with apt-get install -y chromium`);
}

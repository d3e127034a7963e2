import { chromium, type Browser } from 'playwright-core';

/** Debian's Chromium (`apt-get install -y chromium`; .ci/run installs it): Playwright never downloads a browser here. */
export const CHROMIUM = '/usr/bin/chromium';

/** One headless Chromium for a test file (Playwright adds --headless and --no-sandbox). */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM });
}

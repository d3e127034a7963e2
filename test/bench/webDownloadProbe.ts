/**
 * A one-off probe (not part of the suite): a file of SIZE_MIB through the link page in headless
 * Chromium, sampling the resident memory of Chromium's renderer processes and of the browser
 * process from /proc while it downloads. Usage: npx tsx test/bench/webDownloadProbe.ts [MiB]
 * (after npm run build:web); PROBE_MODE=fetch measures only Chromium's fetch of the ciphertext, read and dropped. The budgets of issue 15 are to be measured by `npm run bench -- --only web`.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { CofferClient } from '../../client/sdk/CofferClient.js';
import { MemoryKeyPinStore } from '../../client/sdk/KeyPinStore.js';
import { parseLinkUrl, TEST_KDF } from '../../shared/core/crypto/index.js';
import { chromium } from 'playwright-core';
import { CHROMIUM } from '../web/browser.js';
import { startBenchStack } from './benchStack.js';

const sizeMiB = Number(process.argv[2] ?? 256);

const perProcess = new Map<string, number>();

function chromiumRss(): { renderer: number; browser: number } {
  let renderer = 0;
  let browser = 0;
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      if (!cmd.includes('chromium')) continue;
      const rss = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
      const kind = /--type=([a-z-]+)/.exec(cmd)?.[1] ?? 'browser';
      const key = `${pid} ${kind}${cmd.includes('--extension-process') ? ' ext' : ''}`;
      perProcess.set(key, Math.max(perProcess.get(key) ?? 0, rss));
      if (cmd.includes('--type=renderer')) renderer = Math.max(renderer, rss);
      else if (!cmd.includes('--type=')) browser = Math.max(browser, rss);
    } catch {
      // the process ended
    }
  }
  return { renderer, browser };
}

const stack = await startBenchStack({ webRoot: resolve(import.meta.dirname, '../../dist/web'), quiet: true });
try {
  const alice = new CofferClient({ serverUrl: stack.url, pinStore: new MemoryKeyPinStore(), tuning: { allowWeakKdf: true, linkKdf: TEST_KDF } });
  await alice.register({ userId: 'alice', name: 'Alice', passphrase: 'alice-web-probe-passphrase', kdf: TEST_KDF });
  const chunk = new Uint8Array(1024 * 1024).map((_, i) => i * 7);
  let sent = 0;
  const source = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (sent === sizeMiB) return controller.close();
      sent++;
      controller.enqueue(chunk.slice());
    },
  });
  const { documentId } = await alice.upload(source, { name: 'big.bin', size: sizeMiB * 1024 * 1024 });
  const { url } = await alice.createLink(documentId);
  // PROBE_JS_FLAGS: V8 flags for the renderer (e.g. a smaller young generation, to see what is garbage not yet collected).
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: process.env.PROBE_JS_FLAGS ? [`--js-flags=${process.env.PROBE_JS_FLAGS}`] : [] });
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(url);
  const before = chromiumRss();
  let peak = { ...before };
  const timer = setInterval(() => {
    const now = chromiumRss();
    peak = { renderer: Math.max(peak.renderer, now.renderer), browser: Math.max(peak.browser, now.browser) };
  }, 50);
  const started = performance.now();
  let path: string | undefined;
  let fetched = 0;
  if (process.env.PROBE_MODE === 'fetch') {
    // Baseline: Chromium's fetch of the same ciphertext, read and dropped in the page (no decryption, no Service Worker).
    const { token } = parseLinkUrl(url);
    const opened = (await (await fetch(`${stack.url}/links/open`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token }) })).json()) as { download: { url: string } };
    fetched = await page.evaluate(async (storageUrl) => {
      const reader = (await fetch(storageUrl)).body!.getReader();
      let total = 0;
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return total;
        total += value.byteLength;
      }
    }, opened.download.url);
  } else {
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Open' }).click()]);
    path = (await download.path())!;
  }
  const seconds = (performance.now() - started) / 1000;
  clearInterval(timer);
  const bytes = path ? (await stat(path)).size : fetched;
  // With PROBE_JS_FLAGS=--expose-gc: one full collection after the transfer, to tell garbage from memory still held.
  const collected = await page.evaluate(() => typeof (globalThis as { gc?: () => void }).gc === 'function' && ((globalThis as unknown as { gc: () => void }).gc(), true));
  await new Promise((r) => setTimeout(r, 1000));
  if (collected) console.log(JSON.stringify({ afterFullGcKiB: chromiumRss() }));
  console.log(
    JSON.stringify({ sizeMiB, bytes, seconds: +seconds.toFixed(1), MiBps: +(sizeMiB / seconds).toFixed(1), rssKiB: { before, peak }, growthMiB: { renderer: +((peak.renderer - before.renderer) / 1024).toFixed(0), browser: +((peak.browser - before.browser) / 1024).toFixed(0) } }),
  );
  console.log(JSON.stringify(Object.fromEntries([...perProcess].map(([k, v]) => [k, Math.round(v / 1024)]))));
  await browser.close();
} finally {
  await stack.stop();
}

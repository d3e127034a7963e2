/**
 * Debian's Chromium driven over its DevTools protocol (a pipe) with nothing but the Target,
 * Page, Runtime, DOM and Browser domains: no Network domain. Playwright enables the Network domain
 * in every page and worker it attaches to, and Chromium then copies every request body into the
 * protocol's requestWillBeSent event, base64, for the driver: measured here, a 16 MiB PUT from the
 * page ran at 3.7 MiB/s with Playwright attached and 75 MiB/s without, and the browser process
 * grew by 359 MiB for 64 MiB sent. A user's browser has no driver, so the transfers are timed
 * through this one (docs/benchmarks.md, "The web app").
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { CHROMIUM } from '../web/browser.js';

interface Message {
  id?: number;
  method?: string;
  params?: Record<string, unknown>;
  sessionId?: string;
  result?: Record<string, unknown>;
  error?: { message: string };
}

type Listener = (params: Record<string, unknown>, sessionId: string | undefined) => void;

export class CdpChromium {
  private next = 0;
  private readonly waiting = new Map<number, { resolve(result: Record<string, unknown>): void; reject(error: Error): void }>();
  private readonly listeners = new Set<{ method: string; listener: Listener }>();

  private constructor(
    private readonly child: ChildProcess,
    private readonly input: Writable,
    private readonly profile: string,
  ) {}

  /** Headless, no sandbox (as Playwright runs it here), with a fresh profile; the flags keep a hidden tab from being throttled. */
  static async launch(): Promise<CdpChromium> {
    const profile = await mkdtemp(join(os.tmpdir(), 'coffer-cdp-'));
    const args = [
      '--headless',
      '--no-sandbox',
      '--remote-debugging-pipe',
      `--user-data-dir=${profile}`,
      '--no-first-run',
      '--no-default-browser-check',
      '--disable-background-timer-throttling',
      '--disable-backgrounding-occluded-windows',
      '--disable-renderer-backgrounding',
      'about:blank',
    ];
    const child = spawn(CHROMIUM, args, { stdio: ['ignore', 'ignore', 'ignore', 'pipe', 'pipe'] });
    const browser = new CdpChromium(child, child.stdio[3] as Writable, profile);
    let buffer = '';
    (child.stdio[4] as Readable).on('data', (data: Buffer) => {
      buffer += data.toString('utf8');
      for (let end = buffer.indexOf('\0'); end >= 0; end = buffer.indexOf('\0')) {
        browser.receive(JSON.parse(buffer.slice(0, end)) as Message);
        buffer = buffer.slice(end + 1);
      }
    });
    child.once('exit', () => {
      for (const w of browser.waiting.values()) w.reject(new Error('Chromium exited'));
      browser.waiting.clear();
    });
    await browser.send('Browser.getVersion');
    return browser;
  }

  send(method: string, params: Record<string, unknown> = {}, sessionId?: string): Promise<Record<string, unknown>> {
    const id = ++this.next;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      this.input.write(`${JSON.stringify({ id, method, params, ...(sessionId && { sessionId }) })}\0`);
    });
  }

  on(method: string, listener: Listener): () => void {
    const entry = { method, listener };
    this.listeners.add(entry);
    return () => this.listeners.delete(entry);
  }

  /** A fresh browser context (a new visitor) with one page in it, attached; downloads go to `downloadDir`. */
  async newPage(downloadDir: string): Promise<CdpPage> {
    const { browserContextId } = (await this.send('Target.createBrowserContext')) as { browserContextId: string };
    await this.send('Browser.setDownloadBehavior', { behavior: 'allowAndName', browserContextId, downloadPath: downloadDir, eventsEnabled: true });
    const { targetId } = (await this.send('Target.createTarget', { url: 'about:blank', browserContextId })) as { targetId: string };
    const { sessionId } = (await this.send('Target.attachToTarget', { targetId, flatten: true })) as { sessionId: string };
    const page = new CdpPage(this, sessionId, browserContextId);
    await page.send('Page.enable');
    return page;
  }

  /** Asks Chromium to close, and kills it if it has not exited within 10 s: a benchmark must not leave a browser behind. */
  async close(): Promise<void> {
    const exited = new Promise<void>((resolve) => (this.child.exitCode !== null || this.child.signalCode !== null ? resolve() : this.child.once('exit', () => resolve())));
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 10_000);
    await Promise.race([this.send('Browser.close').catch(() => undefined), exited]);
    await exited;
    clearTimeout(timer);
    await rm(this.profile, { recursive: true, force: true });
  }

  private receive(message: Message): void {
    if (message.id !== undefined) {
      const waiter = this.waiting.get(message.id);
      this.waiting.delete(message.id);
      if (message.error) waiter?.reject(new Error(message.error.message));
      else waiter?.resolve(message.result ?? {});
      return;
    }
    for (const { method, listener } of this.listeners) if (method === message.method) listener(message.params ?? {}, message.sessionId);
  }
}

export class CdpPage {
  constructor(
    readonly browser: CdpChromium,
    private readonly sessionId: string,
    readonly browserContextId: string,
  ) {}

  send(method: string, params: Record<string, unknown> = {}): Promise<Record<string, unknown>> {
    return this.browser.send(method, params, this.sessionId);
  }

  /** The value of a JavaScript expression in the page (awaited when it is a promise); a page-side exception rejects. */
  async evaluate<T>(expression: string): Promise<T> {
    const out = (await this.send('Runtime.evaluate', { expression, awaitPromise: true, returnByValue: true })) as { result: { value?: T }; exceptionDetails?: { text: string; exception?: { description?: string } } };
    if (out.exceptionDetails) throw new Error(`In the page: ${out.exceptionDetails.exception?.description ?? out.exceptionDetails.text}`);
    return out.result.value as T;
  }

  /** Polls `expression` until it is truthy (every `everyMs`), or fails after `timeoutMs`. */
  async waitFor<T>(expression: string, timeoutMs: number, everyMs = 100): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = await this.evaluate<T>(expression);
      if (value) return value;
      if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${expression.slice(0, 120)}`);
      await new Promise((r) => setTimeout(r, everyMs));
    }
  }

  async addInitScript(source: string): Promise<void> {
    await this.send('Page.addScriptToEvaluateOnNewDocument', { source });
  }

  /** Navigates and waits for the navigation to commit (not for the load). */
  async goto(url: string): Promise<void> {
    const out = (await this.send('Page.navigate', { url })) as { errorText?: string };
    if (out.errorText) throw new Error(`Navigation to ${url} failed: ${out.errorText}`);
  }

  async reload(): Promise<void> {
    await this.send('Page.reload');
  }

  /** Sets the files of the file input `selector` (by path: the page gets a File backed by the disk), which fires its change event. */
  async setInputFiles(selector: string, paths: string[]): Promise<void> {
    const { root } = (await this.send('DOM.getDocument')) as { root: { nodeId: number } };
    const { nodeId } = (await this.send('DOM.querySelector', { nodeId: root.nodeId, selector })) as { nodeId: number };
    if (!nodeId) throw new Error(`No ${selector} in the page`);
    await this.send('DOM.setFileInputFiles', { nodeId, files: paths });
  }

  async close(): Promise<void> {
    await this.browser.send('Target.disposeBrowserContext', { browserContextId: this.browserContextId }).catch(() => undefined);
  }
}

import type { Browser, BrowserContext, Page } from 'playwright-core';

/** One request or response as the browser sent or got it: URL, headers, body bytes. */
export interface Exchange {
  url: string;
  text: string;
  body: Buffer;
}

/**
 * Records what a test's browser contexts send and receive, and what their consoles say. Every
 * request goes through `context.route('**\/*')` (which also sees Service Worker and Web Worker
 * requests, and exact body bytes of every kind: STACK.md), is fetched, recorded and fulfilled.
 */
export class BrowserRecorder {
  readonly exchanges: Exchange[] = [];
  readonly consoleProblems: string[] = [];
  private readonly secrets: { label: string; bytes: Buffer }[] = [];

  constructor(private readonly browser: Browser) {}

  /** Something that must never leave the browser (strings also URL-encoded). */
  keepSecret(label: string, value: string | Uint8Array): void {
    this.secrets.push({ label, bytes: Buffer.from(value) });
    if (typeof value === 'string') this.secrets.push({ label: `${label} (URL-encoded)`, bytes: Buffer.from(encodeURIComponent(value)) });
  }

  /** Every secret found in a recorded URL, header or body, as "what in which path". */
  leaks(): string[] {
    return this.exchanges.flatMap((exchange) =>
      this.secrets
        .filter(({ bytes }) => [Buffer.from(exchange.url), Buffer.from(exchange.text), exchange.body].some((haystack) => haystack.includes(bytes)))
        .map(({ label }) => `${label} in ${new URL(exchange.url).pathname}`),
    );
  }

  /** A fresh browser context (a new visitor: no cookies, storage or workers), recorded. */
  async visitor(): Promise<{ page: Page; context: BrowserContext; close(): Promise<void> }> {
    const context = await this.browser.newContext({ acceptDownloads: true });
    let closing = false;
    await context.route('**/*', async (route) => {
      const request = route.request();
      this.exchanges.push({ url: request.url(), text: JSON.stringify(await request.allHeaders()), body: request.postDataBuffer() ?? Buffer.alloc(0) });
      try {
        const response = await route.fetch();
        this.exchanges.push({ url: request.url(), text: JSON.stringify(response.headers()), body: await response.body() });
        await route.fulfill({ response });
      } catch (error) {
        // A request still in flight when the test closes its context (a favicon) has no answer to record.
        if (!closing) throw error;
      }
    });
    const page = await context.newPage();
    page.on('console', (message) => {
      if (message.type() === 'error' || /Content Security Policy|Refused to/i.test(message.text())) this.consoleProblems.push(message.text());
    });
    page.on('pageerror', (error) => this.consoleProblems.push(`pageerror: ${error.message}`));
    return {
      page,
      context,
      close: () => {
        closing = true;
        return context.close();
      },
    };
  }
}

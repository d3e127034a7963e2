/**
 * The web app's budgets (issue 15), in the real Chromium (Debian's /usr/bin/chromium, headless,
 * driven by playwright-core) over a local stack this benchmark starts with a fresh build of
 * client/web:
 *
 * 1. the scripts the sign-in page loads (every response recorded, each body gzipped here), at
 *    first render and through a sign-in, and what loads only later (the strength dictionaries,
 *    fetched on the first keystroke in the own-passphrase field; WebAssembly compiled only when
 *    Argon2id runs);
 * 2. first render: navigation start to the sign-in form visible, in fresh contexts (cold cache)
 *    and on reloads (warm);
 * 3. one file uploaded and downloaded through the page (chosen from disk with the file input,
 *    saved to disk through the download Service Worker, SHA-256 compared), beside the CLI on the
 *    same file against the same stack in the same run (largeFileBench.ts's measured runner), and
 *    WebCrypto's own AES-GCM ceiling in the same Chromium and in Node (aesGcmCeiling.ts), and
 *    Chromium's own fetch to storage with no Coffer code (storageFromPage.ts);
 * 4. Chromium's resident memory from /proc during each transfer (chromiumMemory.ts).
 */
import { mkdir, mkdtemp, readdir, readFile, rm, statfs } from 'node:fs/promises';
import os from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { build } from 'vite';
import { CofferClient } from '../../client/sdk/CofferClient.js';
import { MemoryKeyPinStore } from '../../client/sdk/KeyPinStore.js';
import { CHUNK_SIZE, generatePassphrase, TEST_KDF } from '../../shared/core/crypto/index.js';
import { MAX_IN_FLIGHT } from '../../shared/core/crypto/encryptStream.js';
import { launchChromium } from '../web/browser.js';
import { type CeilingResult, ceilingExpression, nodeCeiling } from './aesGcmCeiling.js';
import { CdpChromium, type CdpPage } from './CdpChromium.js';
import { startBenchStack, type LocalStack } from './benchStack.js';
import { ChromiumMemory, type ChromiumMemoryResult } from './chromiumMemory.js';
import { generate, removeIfPresent, settle, sha256File } from './cryptoBench.js';
import { type CliRun, cliRun } from './largeFileBench.js';
import { runMeasured } from './processTree.js';
import { type StorageFromPage, storageFromPage } from './storageFromPage.js';
import { MiB } from './stats.js';

export interface WebBenchOptions {
  sizeMiB: number;
  /** First-render runs, cold and warm each. */
  renderRuns: number;
  log: (line: string) => void;
}

export type LoadPhase = 'first render' | 'sign-in' | 'own passphrase';

export interface ScriptLoad {
  path: string;
  bytes: number;
  gzipBytes: number;
  phase: LoadPhase;
}

export interface SignInScripts {
  /** Every script response, in order, with the phase it came in. */
  scripts: ScriptLoad[];
  /** Every script of the build, and the phase that first fetched it (undefined: never, in this run). */
  built: { path: string; bytes: number; gzipBytes: number; loadedIn?: LoadPhase }[];
  /** WebAssembly compilations in the page by the time the form was visible (WebAssembly.* instrumented). */
  wasmCompilesAtFirstRender: number;
  /** Any `.wasm` fetched at first render (hash-wasm inlines its modules; a separate file would show here). */
  wasmFilesAtFirstRender: string[];
}

export interface FirstRender {
  /** Navigation start → the sign-in form visible (the first animation frame that shows it), fresh context each. */
  coldMs: number[];
  /** The same, reloading a page that has the app cached. */
  warmMs: number[];
  /** First contentful paint of the cold runs. */
  coldFcpMs: number[];
}

export interface WebTransfer {
  /** File chosen → "Uploaded", or Download pressed → the file complete on disk. */
  seconds: number;
  /** The page's own figure ("Uploaded … in N s"), uploads only. */
  pageSeconds?: number;
  memory: ChromiumMemoryResult;
}

export interface WebResults {
  sizeBytes: number;
  sha256: string;
  chromiumVersion: string;
  signIn: SignInScripts;
  firstRender: FirstRender;
  cli: { upload: CliRun; download: CliRun; verified: boolean };
  /** Every saved file (the member's download and the link page's) equals the file. */
  web: { upload: WebTransfer; download: WebTransfer; verified: boolean };
  /** The same document through the link page (decrypted in its own download worker, no account). */
  link: WebTransfer;
  ceiling: { chunkBytes: number; chunks: number; depth: number; chromium: CeilingResult; node: CeilingResult };
  /** Chromium's own PUTs and GET of the same size against the same storage, from the same page, no Coffer code. */
  storage: StorageFromPage;
  settings: { multipartThreshold: number; partSize: number };
}

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const BIN = join(REPO, 'client/cli/bin.js');
const WEB_USER = 'bench-web';
/** Argon2id at the production cost on a loaded 2-core machine, and a 1 GiB transfer at a few MiB/s. */
const SIGN_IN_TIMEOUT_MS = 180_000;
const TRANSFER_TIMEOUT_MS = 60 * 60_000;

/** Counts WebAssembly compilations in the page: added before any script of the page runs. */
const COUNT_WASM = `(() => {
  const count = { n: 0 };
  Object.defineProperty(globalThis, '__benchWasmCompiles', { get: () => count.n });
  for (const name of ['compile', 'instantiate', 'compileStreaming', 'instantiateStreaming']) {
    const original = WebAssembly[name];
    if (typeof original === 'function') WebAssembly[name] = function (...args) { count.n++; return original.apply(this, args); };
  }
  const Module = WebAssembly.Module;
  WebAssembly.Module = function (...args) { count.n++; return new Module(...args); };
})();`;

export async function webBench(options: WebBenchOptions): Promise<WebResults> {
  const { log } = options;
  const size = options.sizeMiB * MiB;
  const dir = await mkdtemp(join(os.tmpdir(), 'coffer-web-bench-'));
  try {
    // The file, s3rver's parts and object, the CLI's download and Chromium's.
    const needed = 5 * size;
    const fs = await statfs(dir);
    if (fs.bavail * fs.bsize < needed) throw new Error(`The web benchmark needs ${(needed / 1024 ** 3).toFixed(1)} GiB free in ${os.tmpdir()}; ${((fs.bavail * fs.bsize) / 1024 ** 3).toFixed(1)} GiB are.`);
    const webRoot = join(dir, 'web');
    await build({ configFile: join(REPO, 'client/web/vite.config.ts'), logLevel: 'error', build: { outDir: webRoot, emptyOutDir: true } });
    const stack = await startBenchStack({ webRoot });
    let browser: Browser | undefined;
    let chromium: CdpChromium | undefined;
    try {
      const passphrase = generatePassphrase().passphrase;
      // From Node at the production cost: the page refuses to sign in to an account with a test-cost KDF.
      await new CofferClient({ serverUrl: stack.url, pinStore: new MemoryKeyPinStore() }).register({ userId: WEB_USER, name: 'Web bench', passphrase });
      const downloads = join(dir, 'downloads');
      await mkdir(downloads);
      // Playwright only for what needs it (every response body, the workers' included); the timings through the protocol alone.
      browser = await launchChromium();
      const chromiumVersion = browser.version();
      log(`  Chromium ${chromiumVersion}, web app built into ${webRoot}`);
      const signIn = await signInScripts(browser, stack, webRoot, passphrase);
      await browser.close();
      browser = undefined;
      log(`  sign-in page scripts: first render ${kb(sum(signIn.scripts, 'first render'))} KB gzipped, through a sign-in ${kb(sum(signIn.scripts, 'first render') + sum(signIn.scripts, 'sign-in'))} KB`);

      chromium = await CdpChromium.launch();
      const firstRender = await firstRenders(chromium, stack, downloads, options.renderRuns);
      log(`  first render: cold ${firstRender.coldMs.map((m) => m.toFixed(0)).join(', ')} ms; warm ${firstRender.warmMs.map((m) => m.toFixed(0)).join(', ')} ms`);

      const plain = join(dir, 'coffer-web-bench.bin');
      log(`  [${options.sizeMiB} MiB] generating ...`);
      const generated = await generate(plain, size);
      const cli = await cliTransfers(stack, dir, plain, generated.sha256, log);
      const web = await webTransfers(chromium, stack, downloads, plain, generated.sha256, passphrase, log);

      const link = await linkDownload(chromium, stack, downloads, basename(plain), generated.sha256, passphrase);
      log(`  link page download ${describeWeb(link.seconds, link.memory)}${link.verified ? '' : '  ROUND TRIP FAILED'}`);
      const storage = await storageFromPage(web.page, stack.deps.objects, size, stack.deps.settings.partSize);
      log(`  Chromium's own fetch to storage, no Coffer code: PUT ${rate(size, storage.putSeconds)} (renderers +${mib(storage.put.renderers.growthKiB)} MiB), GET ${rate(size, storage.getSeconds)} (renderers +${mib(storage.get.renderers.growthKiB)} MiB)`);
      const ceilingArgs = { chunkBytes: CHUNK_SIZE, chunks: Math.ceil(size / CHUNK_SIZE), depth: MAX_IN_FLIGHT };
      settle();
      const chromiumCeiling = await web.page.evaluate<CeilingResult>(ceilingExpression(ceilingArgs));
      await web.page.close();
      settle();
      const node = await nodeCeiling(ceilingArgs);
      log(`  AES-256-GCM alone, ${ceilingArgs.chunks} chunks of 1 MiB, ${ceilingArgs.depth} in flight: Chromium encrypt ${rate(size, chromiumCeiling.encryptSeconds)}, decrypt ${rate(size, chromiumCeiling.decryptSeconds)}; Node encrypt ${rate(size, node.encryptSeconds)}, decrypt ${rate(size, node.decryptSeconds)}`);
      return {
        sizeBytes: size,
        sha256: generated.sha256,
        chromiumVersion,
        signIn,
        firstRender,
        cli,
        web: { upload: web.upload, download: web.download, verified: web.verified && link.verified },
        link: { seconds: link.seconds, memory: link.memory },
        ceiling: { ...ceilingArgs, chromium: chromiumCeiling, node },
        storage,
        settings: { multipartThreshold: stack.deps.settings.multipartThreshold, partSize: stack.deps.settings.partSize },
      };
    } finally {
      await browser?.close();
      await chromium?.close();
      await stack.stop();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * The scripts of the sign-in page: a fresh context records every response (through
 * `context.route`, which also sees the workers' requests) while the page renders the form, then
 * while it signs in (until My files shows); a second fresh context goes to the own-passphrase
 * field and types one key, which is when the dictionaries should come.
 */
async function signInScripts(browser: Browser, stack: LocalStack, webRoot: string, passphrase: string): Promise<SignInScripts> {
  const scripts: ScriptLoad[] = [];
  const other: string[] = [];
  const failures: string[] = [];
  let phase: LoadPhase = 'first render';
  const recorded = async (): Promise<BrowserContext> => {
    const context = await browser.newContext();
    await context.route('**/*', async (route) => {
      const at = phase;
      const path = new URL(route.request().url()).pathname;
      try {
        const response = await route.fetch();
        const body = await response.body();
        if (path.endsWith('.js')) scripts.push({ path, bytes: body.length, gzipBytes: gzipSync(body).length, phase: at });
        else other.push(`${at} ${path}`);
        await route.fulfill({ response });
      } catch (error) {
        // A request still in flight when its context closes (an API call after My files showed) has nothing to record.
        if (!path.startsWith('/assets/')) return;
        failures.push(`${path}: ${error instanceof Error ? error.message : String(error)}`);
      }
    });
    return context;
  };

  const context = await recorded();
  await context.addInitScript(COUNT_WASM);
  const page = await context.newPage();
  await page.goto(stack.url);
  await page.getByLabel('User id').waitFor();
  await page.waitForLoadState('networkidle');
  const wasmCompilesAtFirstRender = (await page.evaluate('globalThis.__benchWasmCompiles')) as number;
  const wasmFilesAtFirstRender = other.filter((o) => o.endsWith('.wasm'));
  phase = 'sign-in';
  await signInOnPage(page, passphrase);
  await page.waitForLoadState('networkidle');
  await context.close();

  phase = 'own passphrase';
  const second = await recorded();
  const register = await second.newPage();
  await register.goto(stack.url);
  await register.getByRole('button', { name: 'Create an account' }).click();
  await register.getByLabel(/User id/).fill('bench-strength');
  await register.getByLabel('Your name').fill('Strength');
  await register.getByRole('button', { name: 'Continue' }).click();
  await register.getByRole('button', { name: 'Choose my own passphrase instead' }).click();
  const beforeKeystroke = scripts.length;
  await register.getByLabel(/^Your passphrase/).pressSequentially('c');
  await register.locator('#strength-text').filter({ hasText: /\S/ }).waitFor({ timeout: SIGN_IN_TIMEOUT_MS });
  await register.waitForLoadState('networkidle');
  await second.close();
  // Only what came after the keystroke is put down to the field; the rest of that visit (the app, the worker) is listed above already.
  const afterKeystroke = scripts.splice(beforeKeystroke);
  const visit = scripts.findIndex((s) => s.phase === 'own passphrase');
  if (visit >= 0) scripts.splice(visit);
  scripts.push(...afterKeystroke);

  // A script that could not be recorded would make the sums too small: fail rather than under-count.
  if (failures.length > 0) throw new Error(`Scripts not recorded: ${failures.join('; ')}`);
  const built = [];
  for (const name of (await readdir(join(webRoot, 'assets'))).filter((n) => n.endsWith('.js')).sort()) {
    const body = await readFile(join(webRoot, 'assets', name));
    const path = `/assets/${name}`;
    const loadedIn = scripts.find((s) => s.path === path)?.phase;
    built.push({ path, bytes: body.length, gzipBytes: gzipSync(body).length, ...(loadedIn && { loadedIn }) });
  }
  return { scripts, built, wasmCompilesAtFirstRender, wasmFilesAtFirstRender };
}

/**
 * Records when the form first shows: performance.now() (0 = navigation start) of the first
 * animation frame whose callbacks find it visible; that frame paints it. An init script, so it
 * runs before the page's own scripts (and a string, since the page's policy forbids eval).
 */
const FORM_VISIBLE_PROBE = `(() => {
  const tick = () => {
    const input = document.getElementById('signin-user');
    if (input && input.checkVisibility()) globalThis.__benchFormVisibleAt = performance.now();
    else requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
})();`;

async function firstRenders(chromium: CdpChromium, stack: LocalStack, downloads: string, runs: number): Promise<FirstRender> {
  const result: FirstRender = { coldMs: [], warmMs: [], coldFcpMs: [] };
  for (let i = 0; i < runs; i++) {
    const page = await chromium.newPage(downloads);
    await page.addInitScript(FORM_VISIBLE_PROBE);
    await page.goto(stack.url);
    result.coldMs.push(await page.waitFor<number>('globalThis.__benchFormVisibleAt', 30_000, 20));
    const fcp = await page.evaluate<number>(`performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? -1`);
    if (fcp >= 0) result.coldFcpMs.push(fcp);
    await page.waitFor(`document.readyState === 'complete'`, 30_000, 20);
    await page.reload();
    result.warmMs.push(await page.waitFor<number>('globalThis.__benchFormVisibleAt', 30_000, 20));
    await page.close();
  }
  return result;
}

async function signInOnPage(page: Page, passphrase: string): Promise<void> {
  await page.getByLabel('User id').fill(WEB_USER);
  await page.getByLabel('Passphrase', { exact: true }).fill(passphrase);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'My files' }).waitFor({ timeout: SIGN_IN_TIMEOUT_MS });
}

/** The CLI on the same file and stack: one unrecorded warm-up upload (as largeFileBench.ts), then an upload and a download. */
async function cliTransfers(stack: LocalStack, dir: string, plain: string, sha256: string, log: (line: string) => void): Promise<WebResults['cli']> {
  const env = { ...process.env, COFFER_URL: stack.url, COFFER_HOME: join(dir, 'profile'), COFFER_PASSPHRASE: '' };
  const cli = (args: string[]) => runMeasured(process.execPath, [BIN, ...args], { env, cwd: REPO });
  const registered = await cli(['--json', 'register', '--user', 'bench-cli', '--name', 'CLI beside the web']);
  if (registered.code !== 0) throw new Error(`coffer register failed: ${registered.stdout}${registered.stderr}`);
  const upload = async (label: string) => {
    settle();
    const run = await cli(['--json', 'upload', plain]);
    return { run: cliRun(run, label), documentId: (JSON.parse(run.stdout) as { documentId: string }).documentId };
  };
  const warm = await upload('upload (warm-up)');
  log(`  CLI warm-up upload ${warm.run.seconds.toFixed(1)} s (not recorded)`);
  await cli(['--json', 'rm', warm.documentId]);
  const timed = await upload('upload');
  log(`  CLI upload   ${describeCli(timed.run)}`);
  const out = join(dir, 'cli-download.bin');
  settle();
  const download = cliRun(await cli(['--json', 'download', timed.documentId, '-o', out, '--force']), 'download');
  const verified = (await sha256File(out)) === sha256;
  log(`  CLI download ${describeCli(download)}${verified ? '' : '  ROUND TRIP FAILED'}`);
  await removeIfPresent(out);
  await cli(['--json', 'rm', timed.documentId]); // frees s3rver's copy: the web run has the disk the CLI had
  return { upload: timed.run, download, verified };
}

/** Signs in on the page (the form filled and submitted as a person would), until My files shows. */
async function signInOverCdp(page: CdpPage, passphrase: string): Promise<void> {
  await page.waitFor(`!!document.getElementById('signin-user')`, 30_000);
  await page.evaluate(`(() => {
    const set = (id, value) => { const input = document.getElementById(id); input.value = value; input.dispatchEvent(new Event('input', { bubbles: true })); };
    set('signin-user', ${JSON.stringify(WEB_USER)});
    set('signin-passphrase', ${JSON.stringify(passphrase)});
    document.getElementById('signin-user').form.requestSubmit();
  })()`);
  await page.waitFor(`[...document.querySelectorAll('h1')].some((h) => h.textContent === 'My files') && document.body.textContent.includes('Nothing here yet')`, SIGN_IN_TIMEOUT_MS, 250);
}

/**
 * In a fresh context of the protocol-only Chromium (CdpChromium.ts): sign in, upload the file
 * with the file input (a File backed by the disk), download it with its Download button through
 * the Service Worker to disk; memory sampled during each. The upload is timed on the page's clock,
 * from just before the file is set to the mutation that writes "Uploaded"; the download on this
 * process's clock, from the click to Chromium's "completed" event for the file.
 */
async function webTransfers(
  chromium: CdpChromium,
  stack: LocalStack,
  downloads: string,
  plain: string,
  sha256: string,
  passphrase: string,
  log: (line: string) => void,
): Promise<{ page: CdpPage; upload: WebTransfer; download: WebTransfer; verified: boolean }> {
  const page = await chromium.newPage(downloads);
  await page.goto(stack.url);
  await signInOverCdp(page, passphrase);
  const name = basename(plain);

  settle();
  let memory = new ChromiumMemory();
  memory.start();
  await page.evaluate(`(() => {
    const name = ${JSON.stringify(name)};
    const observer = new MutationObserver(() => {
      for (const row of document.querySelectorAll('ul.uploads li')) {
        if (!row.textContent.includes(name)) continue;
        if (row.textContent.includes('Uploaded ')) globalThis.__benchUpload = { at: performance.now(), text: row.textContent };
        else if (row.querySelector('button[aria-label^="Resume"], button[aria-label^="Discard"]')) globalThis.__benchUpload = { failed: row.textContent };
        if (globalThis.__benchUpload) observer.disconnect();
      }
    });
    observer.observe(document.body, { subtree: true, childList: true, characterData: true });
    globalThis.__benchUploadStart = performance.now();
  })()`);
  await page.setInputFiles('#upload-files', [plain]);
  const done = await page.waitFor<{ at?: number; text?: string; failed?: string }>('globalThis.__benchUpload', TRANSFER_TIMEOUT_MS, 250);
  const uploadMemory = memory.stop();
  if (done.failed !== undefined) throw new Error(`The upload failed in the page: ${done.failed}`);
  const uploadSeconds = (done.at! - (await page.evaluate<number>('globalThis.__benchUploadStart'))) / 1000;
  const pageSeconds = Number(/ in ([\d.]+) s/.exec(done.text ?? '')?.[1] ?? Number.NaN);
  const upload: WebTransfer = { seconds: uploadSeconds, pageSeconds, memory: uploadMemory };
  log(`  web upload   ${describeWeb(uploadSeconds, uploadMemory)} (the page says ${pageSeconds} s)`);

  const button = `document.querySelector(${JSON.stringify(`button[aria-label="Download ${name}"]`)})`;
  await page.waitFor(`!!${button}`, 60_000);
  const download = await downloadThrough(page, `${button}.click()`, downloads, sha256);
  log(`  web download ${describeWeb(download.seconds, download.memory)}${download.verified ? '' : '  ROUND TRIP FAILED'}`);
  return { page, upload, download: { seconds: download.seconds, memory: download.memory }, verified: download.verified };
}

/**
 * Clicks (`click`, an expression in the page) and waits for Chromium's "completed" event of the
 * download it starts; timed on this process's clock from the click, memory sampled meanwhile.
 * The file is compared with `sha256`, then removed.
 */
async function downloadThrough(page: CdpPage, click: string, downloads: string, sha256: string): Promise<WebTransfer & { verified: boolean }> {
  settle();
  const memory = new ChromiumMemory();
  memory.start();
  let off: () => void = () => undefined;
  const finished = new Promise<{ guid: string; state: string }>((resolve) => {
    off = page.browser.on('Browser.downloadProgress', (params) => {
      if (params.state === 'completed' || params.state === 'canceled') resolve({ guid: String(params.guid), state: String(params.state) });
    });
  });
  const started = performance.now();
  await page.evaluate(click);
  const outcome = await Promise.race([finished, new Promise<never>((_, reject) => setTimeout(() => reject(new Error('The download did not finish in time')), TRANSFER_TIMEOUT_MS).unref())]);
  const seconds = (performance.now() - started) / 1000;
  const used = memory.stop();
  off();
  const saved = join(downloads, outcome.guid);
  const verified = outcome.state === 'completed' && (await sha256File(saved)) === sha256;
  await removeIfPresent(saved);
  return { seconds, memory: used, verified };
}

/**
 * The same document through the link page, as anyone with the link opens it (decrypted in the
 * link page's own download worker, no account): a link made from Node as
 * the page's user, opened in a fresh context, Open pressed.
 */
async function linkDownload(chromium: CdpChromium, stack: LocalStack, downloads: string, name: string, sha256: string, passphrase: string): Promise<WebTransfer & { verified: boolean }> {
  const owner = new CofferClient({ serverUrl: stack.url, pinStore: new MemoryKeyPinStore(), tuning: { allowWeakKdf: true, linkKdf: TEST_KDF } });
  await owner.login(WEB_USER, passphrase);
  let documentId: string | undefined;
  for await (const entry of owner.listAll()) if (entry.name === name) documentId = entry.documentId;
  if (!documentId) throw new Error(`The page's upload of ${name} is not listed`);
  const { url } = await owner.createLink(documentId);
  const page = await chromium.newPage(downloads);
  try {
    await page.goto(url);
    const open = `[...document.querySelectorAll('button')].find((b) => b.textContent.trim() === 'Open')`;
    await page.waitFor(`!!${open}`, 30_000);
    return await downloadThrough(page, `${open}.click()`, downloads, sha256);
  } finally {
    await page.close();
  }
}

const sum = (scripts: ScriptLoad[], phase: LoadPhase) => scripts.filter((s) => s.phase === phase).reduce((a, s) => a + s.gzipBytes, 0);
const kb = (bytes: number) => (bytes / 1000).toFixed(1);
const rate = (bytes: number, seconds: number) => `${(bytes / seconds / MiB).toFixed(0)} MiB/s`;
const mib = (kib: number) => (kib / 1024).toFixed(0);

function describeCli(run: CliRun): string {
  return `${run.seconds.toFixed(1)} s whole command, transfer ${run.transferSeconds.toFixed(1)} s, peak RSS ${mib(run.worker.peakRssKiB)} MiB`;
}

function describeWeb(seconds: number, m: ChromiumMemoryResult): string {
  return `${seconds.toFixed(1)} s; renderers ${mib(m.renderers.baselineKiB)} → ${mib(m.renderers.peakKiB)} MiB (+${mib(m.renderers.growthKiB)}), browser +${mib(m.browser.growthKiB)} MiB, other helpers +${mib(m.others.growthKiB)} MiB`;
}

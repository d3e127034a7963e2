/** The web app's section of docs/benchmarks.md and the console (webBench.ts), with issue 15's budgets. */
import type { ChromiumMemoryResult } from './chromiumMemory.js';
import { spliceMarkedSection } from './markedSection.js';
import { fixed, markdownTable, median, MiB, textTable } from './stats.js';
import type { CliRun } from './largeFileBench.js';
import type { LoadPhase, WebResults } from './webBench.js';

/** Issue 15's budgets. KB = 1,000 bytes (the stricter reading). */
export const WEB_BUDGETS = {
  signInScriptsGzipBytes: 150_000,
  firstRenderMs: 1000,
  /** The page's transfer throughput against the CLI's, same file, same run. */
  versusCli: 0.5,
  /** When Chromium's WebCrypto is slower than Node's: against Chromium's own AES-GCM ceiling. */
  versusCeiling: 0.8,
  growthMiB: 256,
} as const;

export const WEB_SECTION_START = '<!-- web:start -->';
export const WEB_SECTION_END = '<!-- web:end -->';

export interface WebFigure {
  name: string;
  measured: string;
  target: string;
  status: 'PASS' | 'MISSED' | 'info';
}

const kb = (bytes: number) => `${fixed(bytes / 1000, 1)} KB`;
const mibOf = (kib: number) => kib / 1024;
const rate = (bytes: number, seconds: number) => bytes / seconds / MiB;
const gzipIn = (r: WebResults, phases: LoadPhase[]) => r.signIn.scripts.filter((s) => phases.includes(s.phase)).reduce((a, s) => a + s.gzipBytes, 0);

/** Throughputs (MiB/s) and ratios of one direction. */
export function transferRates(r: WebResults, op: 'upload' | 'download') {
  const web = rate(r.sizeBytes, r.web[op].seconds);
  const cliRun: CliRun = r.cli[op];
  const cli = rate(r.sizeBytes, cliRun.transferSeconds);
  const cliWhole = rate(r.sizeBytes, cliRun.seconds);
  const seconds = op === 'upload' ? 'encryptSeconds' : 'decryptSeconds';
  const chromium = rate(r.sizeBytes, r.ceiling.chromium[seconds]);
  const node = rate(r.sizeBytes, r.ceiling.node[seconds]);
  const storage = rate(r.sizeBytes, op === 'upload' ? r.storage.putSeconds : r.storage.getSeconds);
  return { web, cli, cliWhole, chromium, node, storage, versusCli: web / cli, versusCeiling: web / chromium, versusStorage: web / storage };
}

function throughputFigure(r: WebResults, op: 'upload' | 'download'): WebFigure {
  const t = transferRates(r, op);
  const aes = op === 'upload' ? 'encrypt' : 'decrypt';
  const slowerCrypto = t.chromium < t.node;
  const byCli = t.versusCli >= WEB_BUDGETS.versusCli;
  const byCeiling = slowerCrypto && t.versusCeiling >= WEB_BUDGETS.versusCeiling;
  return {
    name: `${sizeLabel(r.sizeBytes)} ${op} through the page: throughput against the CLI (and against Chromium's AES-GCM ${aes} ceiling)`,
    measured:
      `${fixed(t.web, 1)} MiB/s = ${fixed(t.versusCli * 100, 0)}% of the CLI's ${fixed(t.cli, 1)} MiB/s; ${fixed(t.versusCeiling * 100, 0)}% of Chromium's ${aes} ceiling ` +
      `${fixed(t.chromium, 0)} MiB/s (Node's: ${fixed(t.node, 0)} MiB/s${slowerCrypto ? '' : ', so the ceiling rule does not apply'})`,
    target: `≥ ${WEB_BUDGETS.versusCli * 100}% of the CLI, or ≥ ${WEB_BUDGETS.versusCeiling * 100}% of Chromium's ceiling when it is below Node's`,
    status: byCli || byCeiling ? 'PASS' : 'MISSED',
  };
}

function memoryFigures(r: WebResults, op: 'upload' | 'download' | 'link page download'): WebFigure[] {
  const m = op === 'link page download' ? r.link.memory : r.web[op].memory;
  const growth = (g: ChromiumMemoryResult['renderers']) => mibOf(g.growthKiB);
  const line = (g: ChromiumMemoryResult['renderers']) => `+${fixed(growth(g), 0)} MiB (${fixed(mibOf(g.baselineKiB), 0)} → ${fixed(mibOf(g.peakKiB), 0)} MiB)`;
  return [
    {
      name: `${sizeLabel(r.sizeBytes)} ${op}: resident memory of all renderer processes (page, workers, Service Worker), summed, peak − start`,
      measured: `${line(m.renderers)}; largest one process by its own VmHWM +${fixed(mibOf(m.largestRendererHwmGrowthKiB), 0)} MiB`,
      target: `≤ +${WEB_BUDGETS.growthMiB} MiB`,
      status: growth(m.renderers) <= WEB_BUDGETS.growthMiB ? 'PASS' : 'MISSED',
    },
    {
      name: `${sizeLabel(r.sizeBytes)} ${op}: resident memory of the browser process, peak − start`,
      measured: line(m.browser),
      target: `≤ +${WEB_BUDGETS.growthMiB} MiB`,
      status: growth(m.browser) <= WEB_BUDGETS.growthMiB ? 'PASS' : 'MISSED',
    },
  ];
}

export function webFigures(r: WebResults): WebFigure[] {
  const firstRender = gzipIn(r, ['first render']);
  const signIn = gzipIn(r, ['first render', 'sign-in']);
  const lazy = r.signIn.scripts.filter((s) => s.phase === 'own passphrase');
  const early = lazy.filter((l) => r.signIn.scripts.some((s) => s.path === l.path && s.phase !== 'own passphrase'));
  const cold = r.firstRender.coldMs;
  const out: WebFigure[] = [
    {
      name: 'JavaScript of the sign-in page, gzipped: first render + everything a sign-in fetches (the account worker, the files page)',
      measured: `${kb(signIn)} (first render alone ${kb(firstRender)})`,
      target: `≤ ${kb(WEB_BUDGETS.signInScriptsGzipBytes)}`,
      status: signIn <= WEB_BUDGETS.signInScriptsGzipBytes ? 'PASS' : 'MISSED',
    },
    {
      name: 'strength dictionaries: fetched only on the first keystroke in the own-passphrase field',
      measured: lazy.length === 0 ? 'no script came on the keystroke' : `${lazy.length} chunks, ${kb(lazy.reduce((a, s) => a + s.gzipBytes, 0))}, on the keystroke; ${early.length} of them earlier`,
      target: 'none at first render or sign-in',
      status: lazy.length > 0 && early.length === 0 ? 'PASS' : 'MISSED',
    },
    {
      name: 'WebAssembly at first render: compilations in the page, .wasm files fetched',
      measured: `${r.signIn.wasmCompilesAtFirstRender} compilations, ${r.signIn.wasmFilesAtFirstRender.length} files`,
      target: '0 (Argon2id compiles when it runs)',
      status: r.signIn.wasmCompilesAtFirstRender === 0 && r.signIn.wasmFilesAtFirstRender.length === 0 ? 'PASS' : 'MISSED',
    },
    {
      name: `first render: navigation start → sign-in form visible, fresh context (cold cache), ${cold.length} runs`,
      measured: `p50 ${fixed(median(cold), 0)} ms, max ${fixed(Math.max(...cold), 0)} ms (warm reload p50 ${fixed(median(r.firstRender.warmMs), 0)} ms)`,
      target: `every run ≤ ${WEB_BUDGETS.firstRenderMs} ms`,
      status: Math.max(...cold) <= WEB_BUDGETS.firstRenderMs ? 'PASS' : 'MISSED',
    },
    throughputFigure(r, 'upload'),
    throughputFigure(r, 'download'),
    ...memoryFigures(r, 'upload'),
    ...memoryFigures(r, 'download'),
    ...memoryFigures(r, 'link page download'),
    {
      name: `${sizeLabel(r.sizeBytes)} round trips (SHA-256 of the saved file = the file): page (member and link page), CLI`,
      measured: `${r.web.verified ? 'identical' : 'DIFFERENT'}, ${r.cli.verified ? 'identical' : 'DIFFERENT'}`,
      target: 'identical',
      status: r.web.verified && r.cli.verified ? 'PASS' : 'MISSED',
    },
  ];
  return out;
}

const sizeLabel = (bytes: number) => (bytes >= 1024 * MiB ? `${fixed(bytes / (1024 * MiB), bytes % (1024 * MiB) ? 1 : 0)} GiB` : `${fixed(bytes / MiB, 0)} MiB`);

const SCRIPT_HEADER = ['script', 'bytes', 'gzipped', 'fetched'];
function scriptRows(r: WebResults): string[][] {
  return r.signIn.built.map((b) => [b.path, String(b.bytes), kb(b.gzipBytes), b.loadedIn ?? 'not in this run']);
}

const TRANSFER_HEADER = ['op', 'client', 'seconds', 'MiB/s', 'vs CLI transfer', 'vs Chromium AES-GCM alone', "vs Chromium's fetch alone", 'memory'];
function transferRows(r: WebResults): string[][] {
  const rows: string[][] = [];
  for (const op of ['upload', 'download'] as const) {
    const t = transferRates(r, op);
    const c = r.cli[op];
    const m = r.web[op].memory;
    const aes = op === 'upload' ? 'encrypt' : 'decrypt';
    const fetched = op === 'upload' ? r.storage.put : r.storage.get;
    rows.push([op, 'page in Chromium', fixed(r.web[op].seconds, 1), fixed(t.web, 1), `${fixed(t.versusCli * 100, 0)}%`, `${fixed(t.versusCeiling * 100, 0)}%`, `${fixed(t.versusStorage * 100, 0)}%`, memoryCell(m)]);
    rows.push([op, 'CLI (transfer / whole command)', `${fixed(c.transferSeconds, 1)} / ${fixed(c.seconds, 1)}`, `${fixed(t.cli, 1)} / ${fixed(t.cliWhole, 1)}`, '100%', '-', '-', `peak RSS ${fixed(mibOf(c.worker.peakRssKiB), 0)} MiB (CLI process)`]);
    if (op === 'download') {
      const link = rate(r.sizeBytes, r.link.seconds);
      rows.push([op, 'link page in Chromium (decrypts in a worker of its own, no account)', fixed(r.link.seconds, 1), fixed(link, 1), `${fixed((link / t.cli) * 100, 0)}%`, `${fixed((link / t.chromium) * 100, 0)}%`, `${fixed((link / t.storage) * 100, 0)}%`, memoryCell(r.link.memory)]);
    }
    rows.push([op, `AES-256-GCM ${aes} alone, Chromium / Node`, '-', `${fixed(t.chromium, 0)} / ${fixed(t.node, 0)}`, '-', '100%', '-', '-']);
    rows.push([op, `Chromium's own fetch, ${op === 'upload' ? 'PUT parts (2 in flight)' : 'GET read and dropped'}, no Coffer code`, fixed(op === 'upload' ? r.storage.putSeconds : r.storage.getSeconds, 1), fixed(t.storage, 1), '-', '-', '100%', memoryCell(fetched)]);
  }
  return rows;
}

function memoryCell(m: ChromiumMemoryResult): string {
  return `renderers +${fixed(mibOf(m.renderers.growthKiB), 0)} MiB (${fixed(mibOf(m.renderers.baselineKiB), 0)} → ${fixed(mibOf(m.renderers.peakKiB), 0)}), browser +${fixed(mibOf(m.browser.growthKiB), 0)} MiB, GPU/network/storage +${fixed(mibOf(m.others.growthKiB), 0)} MiB`;
}

const PROCESS_HEADER = ['op', 'pid', 'process', 'start MiB', 'sampled peak MiB', 'VmHWM MiB (reset at start)'];
function processRows(r: WebResults): string[][] {
  const transfers = [
    ['upload', r.web.upload.memory],
    ['download', r.web.download.memory],
    ['link page download', r.link.memory],
  ] as const;
  return transfers.flatMap(([op, memory]) =>
    memory.processes.map((p) => [op, String(p.pid), p.service ? `${p.kind} (${p.service})` : p.kind, fixed(mibOf(p.baselineKiB), 0), fixed(mibOf(p.sampledPeakKiB), 0), p.hwmKiB !== undefined ? fixed(mibOf(p.hwmKiB), 0) : 'ended']),
  );
}

export function webConsole(r: WebResults): string {
  return [
    `The web app in Chromium ${r.chromiumVersion} (local stack), ${sizeLabel(r.sizeBytes)} (its budgets are in the table above):`,
    textTable(SCRIPT_HEADER, scriptRows(r)),
    '',
    textTable(TRANSFER_HEADER, transferRows(r)),
    '',
    textTable(PROCESS_HEADER, processRows(r)),
  ].join('\n');
}

/** The section, markers included; `provenance` is the run's date / machine / load / commit line; `analysis` the hand-written part kept from the last section. */
export function webMarkdown(r: WebResults, provenance: string, analysis = ''): string {
  const lines = [WEB_SECTION_START, '## The web app (issue 15)', '', provenance, ''];
  lines.push(
    `\`npm run bench -- --only web\` (\`test/bench/webBench.ts\`): a fresh \`vite build\` of client/web served by a local stack the benchmark starts ` +
      `(multipart above ${fixed(r.settings.multipartThreshold / MiB, 0)} MiB, parts of ${r.settings.partSize} bytes), Debian's Chromium ${r.chromiumVersion} headless (the scripts recorded through playwright-core; first render and transfers driven over the DevTools pipe, see below). ` +
      'Scripts: every response of a fresh context recorded (`context.route`, which sees the workers too), each body gzipped here (level 6), from navigation to the form ("first render"), ' +
      'then through a sign-in until My files shows ("sign-in"); a second fresh context types one key in the own-passphrase field ("own passphrase": only what came after the keystroke). ' +
      'First render: `performance.now()` of the first animation frame that finds the form visible (an init script), fresh context each (cold), then a reload (warm). ' +
      'Transfers: the same generated file (AES-CTR keystream) uploaded with the page\'s file input and downloaded with its Download button through the Service Worker to disk ' +
      '(timed from choosing the file to "Uploaded", and from the click to the file complete on disk; SHA-256 compared), and with the CLI (`--json upload`, `download`, after one unrecorded warm-up upload) ' +
      'against the same stack in the same run; the CLI figure compared is its own transfer time (`seconds`), the stricter one. AES-GCM alone: `crypto.subtle.encrypt`/`decrypt` over the same number of 1 MiB ' +
      `chunks, ${r.ceiling.depth} in flight (the envelope's pipeline), in the signed-in page and in Node. ` +
      'The link page: the same document through a link made from Node, opened in a fresh context (decrypted in a worker of the link page; no account). ' +
      'Chromium\'s fetch alone: from the same page, the same size PUT as parts to a multipart upload (one reused buffer, 2 in flight), then GET back, read and dropped: no Coffer code (measured after the transfers, so its renderers start higher). ' +
      'Transfers and first render are driven over the DevTools pipe with no Network domain (`CdpChromium.ts`: with Playwright attached Chromium copies every request body into the protocol, which slowed a PUT twentyfold). ' +
      'Memory: every Chromium process below the benchmark, from /proc every 50 ms; each process\'s VmHWM reset when the transfer starts (so its VmHWM is its exact peak during the transfer); "renderers" is the sum over all renderer processes at one sample.',
  );
  lines.push('');
  lines.push(markdownTable(['budget', 'measured', 'target', 'result'], webFigures(r).map((f) => [f.name, f.measured, f.target, f.status === 'MISSED' ? '**MISSED**' : f.status])));
  lines.push('');
  lines.push(markdownTable(TRANSFER_HEADER, transferRows(r)));
  lines.push('');
  lines.push(markdownTable(SCRIPT_HEADER, scriptRows(r)));
  lines.push('');
  lines.push('Chromium\'s processes during each transfer:');
  lines.push('');
  lines.push(markdownTable(PROCESS_HEADER, processRows(r)));
  if (analysis) lines.push('', analysis);
  lines.push(WEB_SECTION_END);
  return lines.join('\n');
}

/** The hand-written analysis below the tables of the section being replaced (from "### " to the end marker), kept across runs. */
export function keptWebAnalysis(text: string): string {
  const start = text.indexOf(WEB_SECTION_START);
  const end = text.indexOf(WEB_SECTION_END);
  if (start < 0 || end < start) return '';
  const section = text.slice(start, end);
  const at = section.indexOf('\n### ');
  return at < 0 ? '' : section.slice(at + 1).trimEnd();
}

export function spliceWebSection(text: string, section: string): string {
  return spliceMarkedSection(text, section, WEB_SECTION_START, WEB_SECTION_END);
}

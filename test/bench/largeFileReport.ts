/** The large-file section of docs/benchmarks.md and the console (largeFileBench.ts). */
import type { CliRun, LargeFileResults, SizeResult } from './largeFileBench.js';
import { fixed, markdownTable, MiB, textTable } from './stats.js';
import { spliceMarkedSection } from './markedSection.js';

export const PEAK_RSS_TARGET_MIB = 128;

/** docs/benchmarks.md keeps this section between these lines, so `--only large-files` can replace just it. */
export const SECTION_START = '<!-- large-files:start -->';
export const SECTION_END = '<!-- large-files:end -->';

export interface LargeFileFigure {
  name: string;
  measured: string;
  target: string;
  status: 'PASS' | 'MISSED' | 'info';
}

const mib = (kib: number) => kib / 1024;
const mbps = (bytes: number, seconds: number) => bytes / seconds / 1e6;
const sizeLabel = (bytes: number) => (bytes >= 1024 * MiB ? `${fixed(bytes / (1024 * MiB), bytes % (1024 * MiB) ? 1 : 0)} GiB` : `${fixed(bytes / MiB, 0)} MiB`);
const worst = (runs: CliRun[]) => Math.max(...runs.map((r) => r.worker.peakRssKiB));
const fastest = (runs: CliRun[]) => Math.min(...runs.map((r) => r.seconds));

/** The targets: the CLI process's peak RSS for each size and direction (the throughput is reported beside). */
export function largeFileFigures(r: LargeFileResults): LargeFileFigure[] {
  const out: LargeFileFigure[] = [];
  for (const s of r.sizes) {
    for (const [op, runs] of [['upload', s.upload], ['download', s.download]] as const) {
      const peak = mib(worst(runs));
      out.push({
        name: `${sizeLabel(s.sizeBytes)} ${op} through the CLI: peak RSS of the CLI process (worst run)`,
        measured: `${fixed(peak, 0)} MiB at ${fixed(mbps(s.sizeBytes, fastest(runs)), 0)} MB/s (best run, whole command)`,
        target: `≤ ${PEAK_RSS_TARGET_MIB} MiB`,
        status: peak <= PEAK_RSS_TARGET_MIB ? 'PASS' : 'MISSED',
      });
    }
    out.push({
      name: `${sizeLabel(s.sizeBytes)} round trip through the CLI (SHA-256 of the download = the file)`,
      measured: s.roundTripVerified ? 'identical' : 'DIFFERENT',
      target: 'identical',
      status: s.roundTripVerified ? 'PASS' : 'MISSED',
    });
  }
  return out;
}

const RUN_HEADER = [
  'size',
  'op',
  'run',
  'wall s',
  'MB/s (whole command)',
  'MB/s (CLI transfer)',
  'peak RSS MiB (CLI process)',
  'of which anonymous',
  'file-backed',
  'launcher MiB',
  'tree total MiB',
  'GNU time %M MiB',
  'CPU s',
];

function runRows(s: SizeResult): string[][] {
  const rows: string[][] = [];
  for (const [op, runs] of [['upload', s.upload], ['download', s.download]] as const) {
    runs.forEach((r, i) => rows.push(runRow(sizeLabel(s.sizeBytes), op, String(i + 1), s.sizeBytes, r)));
  }
  return rows;
}

function runRow(size: string, op: string, label: string, bytes: number, r: CliRun): string[] {
  return [
    size,
    op,
    label,
    fixed(r.seconds, 1),
    fixed(mbps(bytes, r.seconds), 0),
    fixed(mbps(bytes, r.transferSeconds), 0),
    fixed(mib(r.worker.peakRssKiB), 0),
    fixed(mib(r.worker.peakAnonKiB), 0),
    fixed(mib(r.worker.peakFileKiB), 0),
    r.launcher ? fixed(mib(r.launcher.peakRssKiB), 0) : '-',
    fixed(mib(r.peakTreeRssKiB), 0),
    r.timeMaxRssKiB !== undefined ? fixed(mib(r.timeMaxRssKiB), 0) : 'n/a',
    r.cpuSeconds !== undefined ? fixed(r.cpuSeconds, 1) : 'n/a',
  ];
}

const BASELINE_HEADER = ['size', 'tool', 'encrypt (or PUT) MB/s', 'decrypt (or GET) MB/s', 'encrypt peak RSS MiB', 'decrypt peak RSS MiB'];

function baselineRows(r: LargeFileResults): string[][] {
  const rows: string[][] = [];
  for (const s of r.sizes) {
    const e = s.envelope;
    rows.push([sizeLabel(s.sizeBytes), 'Coffer envelope only (file to file, no network)', fixed(mbps(s.sizeBytes, e.encrypt.seconds), 0), fixed(mbps(s.sizeBytes, e.decrypt.seconds), 0), fixed(mib(e.encrypt.maxRssKiB ?? Number.NaN), 0), fixed(mib(e.decrypt.maxRssKiB ?? Number.NaN), 0)]);
    if (s.storage) {
      rows.push([sizeLabel(s.sizeBytes), "the local stack's storage alone (s3rver; plain fetch in a child process, parts of the plan 2 at a time; no crypto)", `PUT ${fixed(mbps(s.sizeBytes, s.storage.putSeconds), 0)}`, `GET ${fixed(mbps(s.sizeBytes, s.storage.getSeconds), 0)}`, '-', '-']);
    }
    if (s.age) {
      rows.push([sizeLabel(s.sizeBytes), r.ageVersion ? `age ${r.ageVersion}` : 'age', fixed(mbps(s.sizeBytes, s.age.encrypt.seconds), 0), fixed(mbps(s.sizeBytes, s.age.decrypt.seconds), 0), s.age.encrypt.maxRssKiB ? fixed(mib(s.age.encrypt.maxRssKiB), 0) : 'n/a', s.age.decrypt.maxRssKiB ? fixed(mib(s.age.decrypt.maxRssKiB), 0) : 'n/a']);
    }
  }
  if (r.openssl.available) rows.push(['-', 'openssl speed -evp aes-256-gcm, 16 KiB blocks, 1 core (no I/O)', fixed(r.openssl.bytesPerSecond16k / 1e6, 0), '-', '-', '-']);
  return rows;
}

const VARIANT_HEADER = ['upload of the first size', 'MB/s (whole command)', 'peak RSS MiB (CLI process)', 'of which anonymous', 'launcher MiB', 'tree total MiB'];

function variantRows(r: LargeFileResults): string[][] {
  const first = r.sizes[0];
  if (!first) return [];
  const row = (label: string, run: CliRun) => [label, fixed(mbps(first.sizeBytes, run.seconds), 0), fixed(mib(run.worker.peakRssKiB), 0), fixed(mib(run.worker.peakAnonKiB), 0), run.launcher ? fixed(mib(run.launcher.peakRssKiB), 0) : '-', fixed(mib(run.peakTreeRssKiB), 0)];
  const idle = row('`coffer --json whoami` (the floor: node, the CLI, a session)', r.idle);
  idle[1] = '-';
  return [row('as shipped (first run above)', first.upload[0]!), ...r.variants.map((v) => row(v.label, v.run)), idle];
}

export function largeFileConsole(r: LargeFileResults): string {
  return [
    'Large files through the CLI (local stack):',
    textTable(RUN_HEADER, r.sizes.flatMap(runRows)),
    '',
    textTable(BASELINE_HEADER, baselineRows(r)),
    ...(r.variants.length ? ['', textTable(VARIANT_HEADER, variantRows(r))] : []),
  ].join('\n');
}

/** The section, markers included; `provenance` is the date / machine / load / commit line of the run. */
export function largeFileMarkdown(r: LargeFileResults, provenance: string): string {
  const s0 = r.sizes[0];
  const lines: string[] = [SECTION_START, '## Large files through the CLI (issue 5)', ''];
  lines.push(provenance);
  lines.push('');
  lines.push(
    `\`node client/cli/bin.js --json upload FILE\` and \`download ID -o FILE\` as child processes against a local stack the benchmark starts ` +
      `(multipart above ${fixed(r.settings.multipartThreshold / MiB, 0)} MiB; the server plans parts of whole encrypted chunks: ` +
      `${s0 ? `${s0.plan.partSize} bytes, ${s0.plan.partCount} parts for ${sizeLabel(s0.sizeBytes)}` : 'n/a'}). Files: an AES-CTR keystream ` +
      `(deterministic), on disk in os.tmpdir(), deleted afterwards; one unrecorded warm-up upload of each before the timed runs. "Whole command" is process start to exit (node start-up, the API calls, ` +
      `completion and the digest included); "CLI transfer" is the CLI's own --json \`seconds\`. Peak RSS is the kernel's VmHWM of the CLI ` +
      `process that does the work (the launcher re-executes itself with ${Object.entries(r.settings.launcher).map(([k, v]) => `\`${k}=${v}\``).join(' ')}` +
      `${r.settings.launcherNodeOptions?.length ? ` and, for an upload, node ${r.settings.launcherNodeOptions.map((o) => `\`${o}\``).join(' ')}` : ''}); ` +
      `the launcher, which only waits for it, and the sum of both at one moment (tree total) are beside it. Every process was sampled every 20 ms ` +
      `from /proc (new ones every 100 ms); GNU time's %M is the kernel's own largest peak in the tree, a check on the sampling.`,
  );
  lines.push('');
  lines.push(markdownTable(['figure', 'measured', 'target', 'result'], largeFileFigures(r).map((f) => [f.name, f.measured, f.target, f.status === 'MISSED' ? '**MISSED**' : f.status])));
  lines.push('');
  lines.push(markdownTable(RUN_HEADER, r.sizes.flatMap(runRows)));
  lines.push('');
  lines.push('Beside them, in the same run and on the same files (cryptoBench.ts\'s own runners):');
  lines.push('');
  lines.push(markdownTable(BASELINE_HEADER, baselineRows(r)));
  if (r.variants.length) {
    lines.push('');
    lines.push('Where the memory goes: the same upload with one thing changed, and the CLI doing almost nothing.');
    lines.push('');
    lines.push(markdownTable(VARIANT_HEADER, variantRows(r)));
  }
  lines.push('');
  lines.push('Analysis of the figures (what each part of the client holds, and what was changed): [bench-results/large-files-analysis.md](bench-results/large-files-analysis.md).');
  lines.push(SECTION_END);
  return lines.join('\n');
}

/** `text` with its large-file section replaced by `section` (or `section` added before "## How to run"). */
export function spliceSection(text: string, section: string): string {
  return spliceMarkedSection(text, section, SECTION_START, SECTION_END);
}

/** Turns the benchmark results into targets with PASS/MISSED, a console report and docs/benchmarks.md. */
import type { ApiResults } from './apiBench.js';
import type { CryptoResults, Run } from './cryptoBench.js';
import type { Machine } from './machine.js';
import type { LargeFileResults } from './largeFileBench.js';
import { largeFileConsole, largeFileFigures, largeFileMarkdown } from './largeFileReport.js';
import type { AuditResults } from './auditBench.js';
import { auditConsole, auditFigures, auditMarkdown } from './auditReport.js';
import type { WebResults } from './webBench.js';
import { webConsole, webFigures, webMarkdown } from './webReport.js';
import type { GroupShareResult, PermissionResults, UserShareResult, UserShareRun } from './permissionBench.js';
import { fixed, gbps, MiB, markdownTable, median, mibps, textTable } from './stats.js';

export const TARGETS = {
  /** Encrypt at least as fast as age. */
  encryptVsAge: 1.0,
  /** Decrypt at least 1.3 times as fast as age. */
  decryptVsAge: 1.3,
  peakRssMiB: 128,
  apiP50Ms: 15,
  /** DynamoDB calls of one access check (docs/permissions.md, "The access check"). */
  accessCheckCalls: 2,
  /** Sequential DynamoDB round trips of one batch check (metas + principal set, then ancestors). */
  batchCheckRoundTrips: 2,
  /** Sharing a document with 1,000 users, client side, end to end. */
  shareUsersMs: 2000,
  /** Sharing with a group, whatever its size: one wrap, one grant item. */
  groupShareWraps: 1,
  groupShareGrantItems: 1,
} as const;

/** age figures recorded in /work/shared/STACK.md, used only when age is not installed. */
const STACK_MD_AGE = { encryptGBps: 1.7, decryptGBps: 0.9, note: 'STACK.md recorded figures (encrypt ~1.6–1.8, decrypt ~0.9 GB/s), NOT measured in this run' };

export interface BenchRun {
  date: string;
  machine: Machine;
  loadBefore: string;
  loadAfter: string;
  settings: Record<string, string | number>;
  crypto?: CryptoResults;
  api?: ApiResults;
  permissions?: PermissionResults;
  largeFiles?: LargeFileResults;
  audit?: AuditResults;
  web?: WebResults;
  /** Parts that threw: reported, and the exit code is 1. */
  failures: { part: string; error: string }[];
}

export type Status = 'PASS' | 'MISSED' | 'FAILED' | 'info';

export interface Figure {
  group: 'client (CLI/SDK path)' | 'envelope on plain Node streams' | 'baseline' | 'server API' | 'permissions' | 'large files (CLI)' | 'audit log' | 'web app' | 'run';
  name: string;
  measured: string;
  target: string;
  status: Status;
}

const best = (runs: Run[]) => Math.min(...runs.map((r) => r.seconds));
const peakRssMiB = (runs: Run[]) => Math.max(...runs.map((r) => (r.maxRssKiB ?? Number.NaN) / 1024));
/** Median CPU seconds per GiB, less `startCpu` (the process's start-up and exit, measured separately). */
const cpuPerGiB = (runs: Run[], bytes: number, startCpu = 0) => (median(runs.map((r) => r.cpuSeconds ?? Number.NaN)) - startCpu) / (bytes / 1024 ** 3);
const peakAnonMiB = (runs: Run[]) => Math.max(...runs.map((r) => (r.peakAnonRssKiB ?? Number.NaN) / 1024));
const pass = (ok: boolean): Status => (ok ? 'PASS' : 'MISSED');

function rssFigure(group: Figure['group'], name: string, runs: Run[], idleRssKiB: number): Figure {
  const rss = peakRssMiB(runs);
  return {
    group,
    name,
    measured: `${fixed(rss, 0)} MiB (of which anonymous ≤ ${fixed(peakAnonMiB(runs), 0)} MiB; idle process ${fixed(idleRssKiB / 1024, 0)} MiB)`,
    target: `≤ ${TARGETS.peakRssMiB} MiB`,
    status: pass(rss <= TARGETS.peakRssMiB),
  };
}
const rate = (bytes: number, seconds: number) => `${fixed(gbps(bytes, seconds))} GB/s (${fixed(mibps(bytes, seconds), 0)} MiB/s)`;

/** The age throughput the targets compare against: this run's, or STACK.md's when age is missing. */
function ageReference(c: CryptoResults): { encrypt: number; decrypt: number; label: string } {
  if (c.age.available && c.age.encrypt.length > 0 && c.age.decrypt.length > 0) {
    return { encrypt: gbps(c.sizeBytes, best(c.age.encrypt)), decrypt: gbps(c.sizeBytes, best(c.age.decrypt)), label: `age ${c.age.version}, this run` };
  }
  return { encrypt: STACK_MD_AGE.encryptGBps, decrypt: STACK_MD_AGE.decryptGBps, label: STACK_MD_AGE.note };
}

export function figures(run: BenchRun): Figure[] {
  const out: Figure[] = [];
  const c = run.crypto;
  if (c) {
    const ref = ageReference(c);
    const encTarget = ref.encrypt * TARGETS.encryptVsAge;
    const decTarget = ref.decrypt * TARGETS.decryptVsAge;
    // The targets apply to the client as shipped: the coffer CLI / SDK Node path (the SDK's
    // FileHandle reader and the launcher's allocator tuning). The same envelope fed through
    // Readable.toWeb with the default allocator is reported beside it, for apps that embed
    // shared/core/crypto with plain Node streams.
    if (c.cli && c.cli.encrypt.length > 0 && c.cli.decrypt.length > 0) {
      const group = 'client (CLI/SDK path)';
      const cliEnc = gbps(c.sizeBytes, best(c.cli.encrypt));
      const cliDec = gbps(c.sizeBytes, best(c.cli.decrypt));
      out.push({ group, name: 'encrypt, file to file (best run)', measured: rate(c.sizeBytes, best(c.cli.encrypt)), target: `≥ age encrypt = ${fixed(encTarget)} GB/s (${ref.label})`, status: pass(cliEnc >= encTarget) });
      out.push({ group, name: 'decrypt, file to file (best run)', measured: rate(c.sizeBytes, best(c.cli.decrypt)), target: `≥ 1.3 × age decrypt = ${fixed(decTarget)} GB/s (${ref.label})`, status: pass(cliDec >= decTarget) });
      out.push(rssFigure(group, 'peak RSS of the encrypt process (worst run)', c.cli.encrypt, c.coffer.idleRssKiB));
      out.push(rssFigure(group, 'peak RSS of the decrypt process (worst run)', c.cli.decrypt, c.coffer.idleRssKiB));
      out.push({ group, name: 'round trip (SHA-256 of input = decrypted output)', measured: c.cli.roundTripVerified ? 'identical' : 'DIFFERENT', target: 'identical', status: pass(c.cli.roundTripVerified) });
    }
    const plain = 'envelope on plain Node streams';
    out.push({ group: plain, name: 'encryptStream, Readable.toWeb, default allocator (best run)', measured: rate(c.sizeBytes, best(c.coffer.encrypt)), target: '', status: 'info' });
    out.push({ group: plain, name: 'decryptStream, Readable.toWeb, default allocator (best run)', measured: rate(c.sizeBytes, best(c.coffer.decrypt)), target: '', status: 'info' });
    for (const [name, runs] of [
      ['encrypt', c.coffer.encrypt],
      ['decrypt', c.coffer.decrypt],
    ] as const) {
      out.push({ ...rssFigure(plain, `peak RSS of the ${name} process (worst run)`, runs, c.coffer.idleRssKiB), target: '', status: 'info' });
    }
    out.push({
      group: plain,
      name: 'round trip (SHA-256 of input = decrypted output)',
      measured: c.coffer.roundTripVerified ? 'identical' : 'DIFFERENT',
      target: 'identical',
      status: pass(c.coffer.roundTripVerified),
    });
    if (c.openssl.available) {
      out.push({
        group: 'baseline',
        name: 'openssl speed AES-256-GCM, 16 KiB blocks, 1 core',
        measured: `${fixed(c.openssl.bytesPerSecond16k / 1e9)} GB/s`,
        target: 'the single-core ceiling',
        status: 'info',
      });
    } else {
      out.push({ group: 'baseline', name: 'openssl speed AES-256-GCM', measured: `not run: ${c.openssl.reason}`, target: '', status: 'info' });
    }
    if (c.age.available) {
      for (const [name, runs] of [
        ['encrypt', c.age.encrypt],
        ['decrypt', c.age.decrypt],
      ] as const) {
        const rss = peakRssMiB(runs);
        out.push({
          group: 'baseline',
          name: `age ${name}, file to file (best run)`,
          measured: `${rate(c.sizeBytes, best(runs))}${Number.isFinite(rss) ? `, peak RSS ${fixed(rss, 0)} MiB` : ''}`,
          target: '',
          status: 'info',
        });
      }
    } else {
      out.push({
        group: 'baseline',
        name: 'age',
        measured: `not measured: ${c.age.reason}; targets use ${STACK_MD_AGE.note}`,
        target: '',
        status: 'info',
      });
    }
  }
  for (const op of run.api?.operations ?? []) {
    out.push({
      group: 'server API',
      name: `${op.operation} server p50`,
      measured: `${fixed(op.server.p50)} ms (p99 ${fixed(op.server.p99)} ms)`,
      target: `p50 ≤ ${TARGETS.apiP50Ms} ms`,
      status: pass(op.server.p50 <= TARGETS.apiP50Ms),
    });
  }
  if (run.permissions) out.push(...permissionFigures(run.permissions));
  if (run.largeFiles) out.push(...largeFileFigures(run.largeFiles).map((f) => ({ group: 'large files (CLI)' as const, ...f })));
  if (run.audit) out.push(...auditFigures(run.audit).map((f) => ({ group: 'audit log' as const, ...f })));
  if (run.web) out.push(...webFigures(run.web).map((f) => ({ group: 'web app' as const, ...f })));
  for (const f of run.failures ?? []) {
    out.push({ group: 'run', name: `${f.part}: did not complete`, measured: f.error, target: 'runs to the end', status: 'FAILED' });
  }
  return out;
}

const ms = (value: number, digits = 2) => `${fixed(value, digits)} ms`;
const count = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** { BatchGetItem: 2 } -> "BatchGetItem ×2". */
function commandList(commands: Record<string, number>): string {
  return Object.entries(commands).map(([c, n]) => (n === 1 ? c : `${c} ×${n}`)).join(', ') || '—';
}

/** "2 DynamoDB calls", or "2–3 DynamoDB calls" when checks differed. */
function callRange(calls: { min: number; max: number }): string {
  return calls.min === calls.max ? count(calls.max, 'DynamoDB call') : `${calls.min}–${calls.max} DynamoDB calls`;
}

function userShareSplit(r: UserShareRun): string {
  return `open DEK ${fixed(r.ms.openDek, 0)} + lookup ${fixed(r.ms.lookup, 0)} + key checks ${fixed(r.ms.keys, 0)} + wraps ${fixed(r.ms.wraps, 0)} + requests ${fixed(r.ms.requests, 0)} ms`;
}

function permissionFigures(p: PermissionResults): Figure[] {
  const group = 'permissions';
  const out: Figure[] = p.cells.map((c) => ({
    group,
    name: `resolveAccess, depth ${c.depth}, ${c.groups} groups`,
    measured: `${callRange(c.calls)} (${commandList(c.commands)}); p50 ${ms(c.ms.p50)}, p99 ${ms(c.ms.p99)}`,
    target: `≤ ${TARGETS.accessCheckCalls} DynamoDB calls`,
    status: pass(c.calls.max <= TARGETS.accessCheckCalls),
  }));
  const b = p.batch;
  out.push({
    group,
    name: `resolveMany, ${b.documents} sibling documents, depth ${b.depth}, ${b.groups} groups`,
    measured: `${callRange(b.calls)} (${commandList(b.commands)}) in ${count(b.roundTrips, 'round trip')}; p50 ${ms(b.ms.p50)}, p99 ${ms(b.ms.p99)}`,
    target: `≤ ${TARGETS.batchCheckRoundTrips} round trips`,
    status: pass(b.roundTrips <= TARGETS.batchCheckRoundTrips),
  });
  const e = p.endToEnd;
  out.push({
    group,
    name: `${e.route}, depth ${e.depth}, ${e.groups} groups: server p50`,
    measured: `${ms(e.server.p50)} (p99 ${ms(e.server.p99)}; client p50 ${ms(e.client.p50)}, p99 ${ms(e.client.p99)})`,
    target: `p50 ≤ ${TARGETS.apiP50Ms} ms`,
    status: pass(e.server.p50 <= TARGETS.apiP50Ms),
  });
  const u = p.userShare;
  out.push({
    group,
    name: `share a document with ${u.users} users, client side (median of ${u.runs.length})`,
    measured: `${ms(u.median.ms.total, 0)} = ${userShareSplit(u.median)}`,
    target: `< ${TARGETS.shareUsersMs} ms`,
    status: pass(u.median.ms.total < TARGETS.shareUsersMs),
  });
  const g = p.groupShare;
  const worstGroupRun = g.runs.reduce((a, r) => (r.wraps + r.grantItemsWritten > a.wraps + a.grantItemsWritten ? r : a), g.runs[0]!);
  out.push({
    group,
    name: `share a document with a group of ${g.members} members (every run)`,
    measured: `${count(worstGroupRun.wraps, 'wrap')}, ${count(worstGroupRun.shareRequests, 'request')}, ${count(worstGroupRun.grantItemsWritten, 'grant item')} written; median ${ms(g.median.ms.total, 1)}`,
    target: `${TARGETS.groupShareWraps} wrap, ${TARGETS.groupShareGrantItems} grant item`,
    status: pass(g.runs.every((r) => r.wraps === TARGETS.groupShareWraps && r.grantItemsWritten === TARGETS.groupShareGrantItems)),
  });
  return out;
}

const GRID_HEADER = ['depth', 'groups in the principal set', 'access from', 'n', 'DynamoDB calls / check', 'commands / check', 'round trips', 'p50 ms', 'p99 ms', 'mean ms', `target ≤ ${TARGETS.accessCheckCalls} calls`];

function gridRows(p: PermissionResults): string[][] {
  return p.cells.map((c) => [
    String(c.depth),
    String(c.groups),
    c.accessVia,
    String(c.n),
    c.calls.min === c.calls.max ? String(c.calls.max) : `${c.calls.min}–${c.calls.max}`,
    commandList(c.commands),
    String(c.roundTrips),
    fixed(c.ms.p50),
    fixed(c.ms.p99),
    fixed(c.ms.mean),
    pass(c.calls.max <= TARGETS.accessCheckCalls),
  ]);
}

const USER_SHARE_HEADER = ['run', 'open DEK ms', 'lookup ms (GET /users)', 'key checks ms', 'wraps ms', 'requests ms (POST share)', 'total ms', 'requests', 'retries', 'wraps', 'grant items written'];

function userShareRows(u: UserShareResult): string[][] {
  return u.runs.map((r, i) => [
    String(i + 1),
    fixed(r.ms.openDek, 1),
    `${fixed(r.ms.lookup, 1)} (${r.lookupRequests})`,
    fixed(r.ms.keys, 1),
    fixed(r.ms.wraps, 1),
    `${fixed(r.ms.requests, 1)} (${r.shareRequests})`,
    fixed(r.ms.total, 1),
    String(r.lookupRequests + 1 + r.shareRequests),
    String(r.retries),
    String(r.wraps),
    String(r.grantItemsWritten),
  ]);
}

const GROUP_SHARE_HEADER = ['run', 'group key ms (GET /groups/{id})', 'open DEK ms', 'wrap ms', 'request ms (POST share)', 'total ms', 'wraps', 'share requests', 'grant items written', 'grants on the document after'];

function groupShareRows(g: GroupShareResult): string[][] {
  return g.runs.map((r, i) => [
    String(i + 1),
    fixed(r.ms.groupKey, 1),
    fixed(r.ms.openDek, 1),
    fixed(r.ms.wrap, 2),
    fixed(r.ms.request, 1),
    fixed(r.ms.total, 1),
    String(r.wraps),
    String(r.shareRequests),
    String(r.grantItemsWritten),
    String(r.grantsOnNode),
  ]);
}

/** The permission section, as markdown (`md`) or console text. */
function permissionSection(p: PermissionResults, md: boolean): string[] {
  const table = md ? markdownTable : textTable;
  const lines: string[] = [];
  const b = p.batch;
  const e = p.endToEnd;
  const u = p.userShare;
  const g = p.groupShare;
  lines.push(
    `Access check (\`resolveAccess\`, in-process against DynamoDB Local, through a separate document client with a call recorder): ${p.iterations} checks per cell after ${p.warmup} warm-up, one at a time. ` +
      'The checked document sits in the deepest folder of a chain of `depth` folders; the caller holds `viewer` on the top folder only, through a direct user grant (0 groups) ' +
      'or through the last of its groups (the group cells), so its level is inherited down the whole chain.',
  );
  lines.push('');
  lines.push(table(GRID_HEADER, gridRows(p)));
  lines.push('');
  lines.push(
    `Batch check (\`resolveMany\`) of ${b.documents} sibling documents in the depth-${b.depth} folder, caller in ${b.groups} groups: ${b.resolved} resolved, ` +
      `${callRange(b.calls)} per check (${commandList(b.commands)}) in ${count(b.roundTrips, 'round trip')}, p50 ${ms(b.ms.p50)}, p99 ${ms(b.ms.p99)}, mean ${ms(b.ms.mean)} (n = ${b.n}). ` +
      'The metas (100 keys) and the principal set go in two BatchGets sent together (one BatchGet holds at most 100 keys), then one BatchGet of the ancestors.',
  );
  lines.push('');
  lines.push(
    `End to end: \`${e.route}\` of the depth-${e.depth} document as the caller in ${e.groups} groups, over HTTP, ${e.n} sequential requests: ` +
      `server p50 ${ms(e.server.p50)}, p99 ${ms(e.server.p99)}; client p50 ${ms(e.client.p50)}, p99 ${ms(e.client.p99)}; DynamoDB per request: ${commandList(e.commands)} ` +
      `(the check's two BatchGets, then the group's grant on the top folder for the key path). The key path (${e.keyPathSteps} steps) was opened once with the group's private key to the document's DEK: ${e.keyPathOpened ? 'yes' : 'NO'}.`,
  );
  lines.push('');
  lines.push(
    `Sharing a document with ${u.users} users, timed on the client, ${u.runs.length} runs (a new document each): open our DEK (GET /documents/{id}, unwrap), ` +
      `look up the public keys (GET /users, 100 ids per request), check each stated fingerprint and import the key, wrap the DEK for each (RSA-OAEP-3072, all in flight at once), ` +
      `POST /nodes/{id}/share in batches of ${u.batchSize}, ${u.concurrency === 1 ? 'one at a time' : `${u.concurrency} at a time (409 CONCURRENT_UPDATE retried)`}.`,
  );
  lines.push('');
  lines.push(table(USER_SHARE_HEADER, userShareRows(u)));
  lines.push('');
  lines.push(
    `Sharing a document with one group of ${g.members} members (created and filled through the groups API, untimed), ${g.runs.length} runs: the group's public key (GET /groups/{id}, fingerprint checked), ` +
      'our DEK, one wrap for the group, one POST /nodes/{id}/share. Wraps are counted at the wrap function; grant items written are counted in the TransactWriteItems the server sent, and checked on the table afterwards (the owner\'s grant and the group\'s).',
  );
  lines.push('');
  lines.push(table(GROUP_SHARE_HEADER, groupShareRows(g)));
  return lines;
}

function cryptoRunRows(c: CryptoResults): string[][] {
  const rows: string[][] = [];
  const add = (tool: string, op: string, runs: Run[], startCpu = 0) => {
    if (runs.length === 0) return;
    const seconds = runs.map((r) => r.seconds);
    rows.push([
      tool,
      op,
      String(runs.length),
      rate(c.sizeBytes, Math.min(...seconds)),
      `${fixed(gbps(c.sizeBytes, median(seconds)))} GB/s`,
      runs.map((r) => fixed(r.seconds)).join(', '),
      fixed(cpuPerGiB(runs, c.sizeBytes, startCpu)),
      Number.isFinite(peakRssMiB(runs)) ? fixed(peakRssMiB(runs), 0) : 'n/a',
      Number.isFinite(peakAnonMiB(runs)) ? fixed(peakAnonMiB(runs), 0) : '',
    ]);
  };
  const start = c.coffer.idleCpuSeconds;
  add('Coffer', 'encrypt', c.coffer.encrypt, start);
  if (c.cli) add('Coffer, CLI setup', 'encrypt', c.cli.encrypt, start);
  if (c.age.available) add(`age ${c.age.version}`, 'encrypt', c.age.encrypt);
  add('Coffer', 'decrypt', c.coffer.decrypt, start);
  if (c.cli) add('Coffer, CLI setup', 'decrypt', c.cli.decrypt, start);
  if (c.age.available) add(`age ${c.age.version}`, 'decrypt', c.age.decrypt);
  add('(no crypto)', 'I/O path only: same streams, file to file', c.coffer.copy, start);
  return rows;
}

const CRYPTO_HEADER = ['tool', 'op', 'runs', 'best', 'median', 'seconds per run', 'CPU s / GiB (median, all threads)', 'peak RSS MiB (worst)', 'of which anonymous MiB'];
const API_HEADER = [
  'operation',
  'route',
  'n',
  'server p50 ms',
  'server p99 ms',
  'client p50 ms',
  'in DynamoDB Local p50 ms',
  'outside backend calls p50 ms',
  'backend calls / request',
  `target p50 ≤ ${TARGETS.apiP50Ms} ms`,
];

/** { 'ddb.Get': 2, 'ddb.Query': 1, 'kms.sign': 1 } -> "DynamoDB Get ×2, Query; KMS sign". */
function backendCalls(calls: Record<string, number>): string {
  const groups = new Map<string, string[]>();
  const names: Record<string, string> = { ddb: 'DynamoDB', kms: 'KMS', s3: 'S3' };
  for (const [key, n] of Object.entries(calls)) {
    const [group = '', call = key] = key.split('.');
    const label = names[group] ?? group;
    if (!groups.has(label)) groups.set(label, []);
    groups.get(label)!.push(n === 1 ? call : `${call} ×${n}`);
  }
  return [...groups.entries()].map(([g, c]) => `${g} ${c.join(', ')}`).join('; ') || '—';
}

function apiRows(a: ApiResults): string[][] {
  return a.operations.map((op) => [
    op.operation,
    `${op.method} ${op.path}`,
    String(op.n),
    fixed(op.server.p50),
    fixed(op.server.p99),
    fixed(op.client.p50),
    fixed(op.dynamoDbLocalP50),
    fixed(op.ownCodeP50),
    backendCalls(op.backendCallsPerRequest),
    pass(op.server.p50 <= TARGETS.apiP50Ms),
  ]);
}

export function consoleReport(run: BenchRun): string {
  const f = figures(run);
  const parts: string[] = [];
  parts.push(`Coffer benchmarks — ${run.date}`);
  parts.push(`${run.machine.cpuModel}, ${run.machine.cores} cores, ${run.machine.memoryGiB} GiB, Node ${run.machine.node}, ${run.machine.os}; load average ${run.loadBefore} -> ${run.loadAfter}`);
  parts.push('');
  parts.push(textTable(['group', 'figure', 'measured', 'target', 'result'], f.map((x) => [x.group, x.name, x.measured, x.target, x.status])));
  if (run.crypto) {
    parts.push('');
    parts.push(`Crypto runs (${fixed(run.crypto.sizeBytes / MiB, 0)} MiB, ${run.crypto.coffer.worker}, ${run.crypto.coffer.reader}):`);
    parts.push(textTable(CRYPTO_HEADER, cryptoRunRows(run.crypto)));
  }
  if (run.api) {
    parts.push('');
    parts.push(`Server API (local stack, ${run.api.iterations} sequential requests per operation after ${run.api.warmup} warm-up):`);
    parts.push(textTable(API_HEADER, apiRows(run.api)));
  }
  if (run.permissions) {
    parts.push('');
    parts.push('Permissions (local stack):');
    parts.push(...permissionSection(run.permissions, false));
  }
  if (run.largeFiles) {
    parts.push('');
    parts.push(largeFileConsole(run.largeFiles));
  }
  if (run.audit) {
    parts.push('');
    parts.push(auditConsole(run.audit));
  }
  if (run.web) {
    parts.push('');
    parts.push(webConsole(run.web));
  }
  const missed = f.filter((x) => x.status === 'MISSED' || x.status === 'FAILED');
  parts.push('');
  parts.push(missed.length === 0 ? 'All targets met.' : missed.map((x) => `${x.status}: ${x.group}: ${x.name}: ${x.measured}, target ${x.target}`).join('\n'));
  return parts.join('\n');
}

/** When, where and on what commit a run was made, on one line, with the settings named `prefix*` (the large-file and audit sections carry their own). */
export function provenanceLine(run: BenchRun, prefix = 'BENCH_LARGE'): string {
  const m = run.machine;
  return (
    `Run ${run.date} on ${m.cpuModel}, ${m.cores} cores, ${m.memoryGiB} GiB RAM, Node ${m.node}; load average ${run.loadBefore} → ${run.loadAfter}; ` +
    `commit ${m.commit}; ${Object.entries(run.settings).filter(([k]) => k.startsWith(prefix)).map(([k, v]) => `${k}=${v}`).join(', ')}.`
  );
}

/** `auditAnalysis`: the hand-written analysis kept from the audit section being replaced. */
export function markdownReport(run: BenchRun, auditAnalysis = '', webAnalysis = ''): string {
  const f = figures(run);
  const m = run.machine;
  const missed = f.filter((x) => x.status === 'MISSED' || x.status === 'FAILED');
  const lines: string[] = [];
  lines.push('# Coffer benchmarks');
  lines.push('');
  lines.push('Generated by `npm run bench` (`test/bench/run.ts`); the whole file is rewritten on each run. Raw figures: `docs/bench-results/latest.json`.');
  lines.push('');
  lines.push(
    markdownTable(
      ['date', 'machine', 'node', 'load average (1/5/15 min) before → after', 'commit'],
      [[run.date, `${m.cpuModel}, ${m.cores} cores, ${m.memoryGiB} GiB RAM, ${m.os}`, m.node, `${run.loadBefore} → ${run.loadAfter}`, m.commit]],
    ),
  );
  lines.push('');
  lines.push(
    `Settings: ${Object.entries(run.settings)
      .map(([k, v]) => `${k}=${v}`)
      .join(', ')}.`,
  );
  lines.push('');
  lines.push('## Results against the targets');
  lines.push('');
  lines.push(markdownTable(['group', 'figure', 'measured', 'target', 'result'], f.map((x) => [x.group, x.name, x.measured, x.target, x.status === 'MISSED' || x.status === 'FAILED' ? `**${x.status}**` : x.status])));
  lines.push('');
  lines.push(missed.length === 0 ? 'All targets met.' : `**${missed.length} target(s) missed or part(s) failed**: ${missed.map((x) => x.name).join('; ')}.`);
  if (missed.some((x) => x.group.startsWith('client crypto'))) {
    lines.push('');
    lines.push('What limits the client crypto figures, measured: [bench-results/crypto-analysis.md](bench-results/crypto-analysis.md).');
  }
  if (run.crypto) {
    const c = run.crypto;
    lines.push('');
    lines.push('## Client crypto: every run');
    lines.push('');
    lines.push(
      `${fixed(c.sizeBytes / MiB, 0)} MiB generated file (AES-128-CTR keystream of a fixed key, sha256 \`${c.generator.sha256.slice(0, 16)}…\`), ciphertext ${c.ciphertextBytes} bytes. ` +
        `Coffer: ${c.coffer.worker}, input ${c.coffer.reader}, output \`Writable.toWeb(fs.createWriteStream(highWaterMark 2))\`. ` +
        `Runs interleaved (I/O path, Coffer encrypt, CLI setup encrypt, age encrypt, Coffer decrypt, CLI setup decrypt, age decrypt) after one unrecorded warm-up round; \`sync\` before each, output file deleted before each.`,
    );
    if (c.cli) {
      lines.push('');
      lines.push(
        `"CLI setup": the same worker the way the coffer CLI runs it: input through ${c.cli.reader}, environment ${Object.entries(c.cli.env)
          .map(([k, v]) => `\`${k}=${v}\``)
          .join(' ')} (the Linux launcher's glibc malloc tuning, read from client/cli/launcherEnv.js). Output and timing as above.`,
      );
    }
    lines.push('');
    lines.push(markdownTable(CRYPTO_HEADER, cryptoRunRows(c)));
    if (c.openssl.available) {
      lines.push('');
      lines.push(`\`${c.openssl.command}\` (${c.openssl.version}): \`${c.openssl.row}\` (1000s of bytes per second; the 16384-byte column is used).`);
    }
  }
  if (run.api) {
    lines.push('');
    lines.push('## Server API: every operation');
    lines.push('');
    lines.push(
      `Local stack (\`startLocalStack({ inMemory: true, port: 0, quiet: true })\`, ${run.api.dynamoDbLocal}), ${run.api.iterations} sequential requests per operation after a warm-up pass of ${run.api.warmup}. ` +
        'Server time = the handler\'s own duration from the `server-timing: app;dur=` header; client p50 = the round trip seen by `fetch` on the same machine, for context.',
    );
    lines.push('');
    lines.push(markdownTable(API_HEADER, apiRows(run.api)));
  }
  if (run.permissions) {
    lines.push('');
    lines.push('## Permissions: access checks and sharing');
    lines.push('');
    lines.push(...permissionSection(run.permissions, true));
  }
  if (run.largeFiles) {
    lines.push('');
    lines.push(largeFileMarkdown(run.largeFiles, provenanceLine(run)));
  }
  if (run.audit) {
    lines.push('');
    lines.push(auditMarkdown(run.audit, provenanceLine(run, 'BENCH_AUDIT'), auditAnalysis));
  }
  if (run.web) {
    lines.push('');
    lines.push(webMarkdown(run.web, provenanceLine(run, 'BENCH_WEB'), webAnalysis));
  }
  lines.push('');
  lines.push(STATIC_NOTES);
  return `${lines.join('\n')}\n`;
}

const STATIC_NOTES = `## How to run

\`\`\`sh
npm run bench                                      # full run: 1 GiB file, 5 repeats (+1 warm-up), 200 requests per API operation; rewrites this file
BENCH_SIZE_MIB=128 BENCH_REPEATS=1 npm run bench   # quick run (still rewrites this file: check the size in the settings line)
BENCH_ONLY=crypto npm run bench                    # or api, or permissions: one part only; prints, does not rewrite this file
npm run bench -- --only permissions                # the same as BENCH_ONLY=permissions
npm run bench -- --only large-files                # 1 and 5 GiB through the CLI (~15 min): rewrites only its own section of this file
BENCH_LARGE_SIZES_MIB=256 BENCH_LARGE_VARIANTS=0 BENCH_WRITE=0 npm run bench -- --only large-files   # a quick look, writes nothing
npm run bench -- --only audit                      # the audit log (~5 min): rewrites only its own section of this file and bench-results/audit.json
npm run bench -- --only web                        # the web app in Chromium, 1 GiB up and down beside the CLI: rewrites only its own section and bench-results/web.json
BENCH_WEB_MIB=64 BENCH_WRITE=0 npm run bench -- --only web   # a quick look while developing, writes nothing
\`\`\`

Other knobs: \`BENCH_API_N\` (200), \`BENCH_API_WARMUP\` (20), \`BENCH_READER\` (\`node\`: \`Readable.toWeb(fs.createReadStream)\`, the default;
\`blob\`: \`fs.openAsBlob().stream()\`; \`handle\`: a byte stream over \`FileHandle.read\`), \`BENCH_READ_CHUNK_KIB\` (1024),
\`BENCH_WORKER=tsx\` (run the crypto worker under tsx instead of as an esbuild bundle: adds tsx's ~70 MiB to its RSS), \`BENCH_WRITE=0\`;
permissions: \`BENCH_PERM_N\` (200 checks per cell and GET requests), \`BENCH_PERM_WARMUP\` (20), \`BENCH_SHARE_USERS\` (1000: users shared with,
and members of the group), \`BENCH_SHARE_REPEATS\` (3 timed runs of each sharing scenario), \`BENCH_SHARE_CONCURRENCY\` (1 share request in flight);
audit: \`BENCH_AUDIT_SINGLE\` (500 events, one writer), \`BENCH_AUDIT_WRITERS\` (10,50), \`BENCH_AUDIT_EVENTS\` (2000 per writer count),
\`BENCH_AUDIT_VERIFY\` (10000,50000 events), \`BENCH_AUDIT_FILL\` (\`bulk\`; \`record\`: grow the log with recordAudit, ~15 min here),
\`BENCH_AUDIT_FILL_WRITERS\` (16, with \`record\`), \`BENCH_AUDIT_API_N\` (200 requests per variant);
web: \`BENCH_WEB_MIB\` (1024: the file through the page and the CLI), \`BENCH_WEB_RENDER_RUNS\` (5 first renders, cold and warm); needs Debian's \`/usr/bin/chromium\`.
A part that throws is listed as FAILED in the table above and the exit code is 1; the other parts still run.
Needs Java (DynamoDB Local), openssl, and for the baselines \`apt-get install -y age time\` (age 1.x; GNU time for age's peak RSS).
Without age the targets fall back to the age figures recorded in STACK.md, labelled as such. The exit code is 0 even when a target
is missed; missed targets print as \`MISSED\`. A full run takes about 5 minutes here (the permission part about 2, most of it building its data)
and needs 7× the file size free in os.tmpdir().

## What is measured

- **Client crypto throughput**: \`encryptStream\` / \`decryptStream\` (shared/core/crypto) piping a generated file in os.tmpdir() to another file
  through WHATWG streams, in a child process of its own (\`test/bench/cryptoWorker.ts\`, bundled with esbuild, run by plain \`node\`).
  Timed from opening the input until the output stream has closed (data in the page cache, not fsync'd, as for \`age -o\`); node start-up
  excluded. Throughput = plaintext bytes per second (GB = 10^9 bytes; MiB/s in brackets); the figure is the best of the repeats, the same
  rule for age. Every run is listed. "I/O path only" is the same worker piping the plaintext file to a file through the same streams
  with no crypto: what the harness's file I/O costs by itself. The targets apply to the client as shipped ("CLI setup", group
  "client (CLI/SDK path)"): the same worker set up as the coffer CLI runs on Linux, with the SDK's \`openFile()\` reader (no
  \`Readable.toWeb\` copy) and the launcher's glibc malloc tuning (client/cli/launcherEnv.js). The group "envelope on plain Node
  streams" feeds the same envelope through \`Readable.toWeb\` with the default allocator, what an app embedding shared/core/crypto with
  plain Node streams gets: reported for information.
- **CPU s / GiB**: user + system CPU of the whole process (all threads, including libuv's pool where WebCrypto runs), median of the
  runs, less the CPU of starting and stopping the worker; for age, GNU time's user + system. Less sensitive to other load than wall time.
- **Peak RSS**: \`process.resourceUsage().maxRSS\` at the end of the worker (the target applies to it); for age, GNU time's \`%M\` (the
  same getrusage figure). It includes the node binary's file-backed pages (~35–60 MiB, varying with what the page cache holds), so the
  worker also samples its anonymous RSS (RssAnon in /proc/self/status, every 5 ms): the heap and buffers the crypto actually uses.
  "Idle process" is the worker started and stopped without work (node + the bundled crypto module).
- **Round trip**: SHA-256 of the input (hashed while generated) against the SHA-256 of every decrypted output (streamed, not timed).
- **Baselines, same run**: \`openssl speed -evp aes-256-gcm -seconds 3\` (16384-byte column: this CPU's single-core AES-GCM ceiling) and
  age (X25519 recipient from \`age-keygen\`; \`age -r\` / \`age -d -i\`) on the same file, timed from the parent around the process.
- **Server API**: every route of shared/core/api/routes.ts on the local stack, one request at a time. Register bodies (Argon2id, sealed private
  key; one RSA-3072 key pair shared by all benchmark users), wrapped keys and ciphertexts are prepared before the timed requests; the
  ciphertext PUTs to s3rver are not timed. createDocument is measured with a single-PUT size (below the 64 MiB multipart threshold).
  Routes that use up what they act on (delete, transfer, revoke, limit, member removal, rewrap, comment delete) get one fixture per
  sample, built before the timed loop; a deleted folder holds a subfolder and a document, a moved document's folder has 2 descendants
  to re-path (see the header of test/bench/apiBench.ts).
  "Backend calls / request" are counted by wrapping the stack's KeyService and ObjectStore ports (presign* = local signing, no request)
  and by a middleware on the DynamoDB document client. "In DynamoDB Local" sums the time inside DynamoDB calls (calls made in
  parallel each count, so it can exceed the handler time); "outside backend calls" is the handler time minus all backend time (≥ 0).
- **Permissions** (\`test/bench/permissionBench.ts\`, a local stack of its own): every item is written through the API as a client
  writes it (POST /folders chains, uploads into the deepest folder, POST /groups and /groups/{id}/members, POST /nodes/{id}/share),
  with real wraps: the key path of the worst cell is opened to the document's DEK. The grid's callers are members of 0, 10 or 100
  groups (checked in their \`PRINCIPALS\` item); the level comes from the top folder of the chain, the worst case for the walk up.
  Checks call \`resolveAccess\` / \`resolveMany\` in-process with Deps whose DynamoDB document client is a separate one on the same
  table, with a middleware at the \`initialize\` step recording every command (so a command counts once, whatever the SDK's retries);
  "round trips" are the recorded calls grouped by overlap in time (calls sent together are one). Latency is the wall time of the
  call, DynamoDB Local included. Sharing is timed on the client from the first request to the last answer; registering the 1,000
  users (one RSA-3072 key pair shared by all of them, as in the API benchmark: each key is still imported and used for its own
  wrap) and filling the group are not timed.

## Caveats

- **A 2-vCPU VM, shared.** Other work on the machine (tests, type checks, another DynamoDB Local) competes for the two cores and for
  memory bandwidth; the load average before and after is recorded above. Best-of-N and CPU s / GiB reduce that noise; they do not remove it.
- **Page cache, not disk.** The files stay in the page cache; \`sync\` runs before each measurement so earlier writeback does not land in it.
  On this VM, touching fresh memory is expensive (first-touch page faults); both Coffer and age pay it for the page cache, Coffer also for
  its per-chunk buffers: see [bench-results/crypto-analysis.md](bench-results/crypto-analysis.md) for what limits the crypto figures.
- **Memory the hypervisor took back.** A run that writes its output into memory freed long before spends up to 3× longer in the kernel's
  write() copy (system CPU), with no extra guest page faults: the warm-up round shows it. The likely cause is the VM's free page reporting
  (page_reporting is on) handing idle free memory back to the host, which must fault it in again. So
  every run deletes its own previous output just before it starts, the same for every tool, and the warm-up round is not recorded.
- **Writable.toWeb in Node 20 counts chunks, not bytes**: it uses the Node stream's highWaterMark as a chunk count, so with the default (or a
  byte figure) thousands of 1 MiB chunks queue up when the disk lags and RSS grows without bound. The worker passes highWaterMark 2.
  A client writing decrypted files must do the same (or write through a FileHandle).
- **DynamoDB Local is not DynamoDB.** A Java process on the same two cores over loopback: no network hop, different (mostly slower)
  per-call latency. Real DynamoDB single-item calls from Lambda in the same region usually take a few ms each; transactions more.
- **The local KMS is in-process** (a keyring on node:crypto), so KMS latency is excluded. Real AWS KMS adds a network round trip per
  call, typically a few ms in the same region (Sign with an ECC_NIST_P256 key, GenerateMac with an HMAC key, Encrypt/Decrypt): see the
  backend-calls column. token makes them one after the other (GenerateMac, then Decrypt alongside a DynamoDB read, then Sign), register in
  parallel (GenerateMac ∥ Encrypt), refresh one Sign. Access-token verification uses the cached public key and calls no KMS.
  Estimate, not measured: at 2–5 ms per KMS call, token's three sequential calls add 6–15 ms, which on top of real DynamoDB puts
  token's p50 near or above the 15 ms target; the operations without KMS calls are not affected.
- **Call counts transfer, DynamoDB Local latencies do not.** The number of DynamoDB calls and round trips per check is what real
  DynamoDB sees; their latency here is DynamoDB Local's (a BatchGet of 100 consistent reads is far slower locally than a few ms).
  Sharing with 1,000 users runs 20 transactions of 51 items on one node, one after the other (each is conditioned on the node's
  \`rev\`, so concurrent batches on one node conflict and are retried).
- **No Lambda, no API Gateway.** The handler runs warm in the benchmark's own process (no cold start, no API Gateway latency).
- **S3 is s3rver.** Presigning is local HMAC in both cases; completeDocument's HeadObject and deleteDocument's DeleteObjects go to s3rver.
`;

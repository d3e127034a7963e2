/** The audit-log section of docs/benchmarks.md and the console (auditBench.ts). */
import type { AppendRun, AuditResults, RouteOverhead, RouteVariant } from './auditBench.js';
import { fixed, markdownTable, textTable } from './stats.js';
import { spliceMarkedSection } from './markedSection.js';

/** docs/benchmarks.md keeps this section between these lines, so `--only audit` can replace just it. */
export const AUDIT_SECTION_START = '<!-- audit:start -->';
export const AUDIT_SECTION_END = '<!-- audit:end -->';

export interface AuditFigure {
  name: string;
  measured: string;
  target: string;
  status: 'PASS' | 'MISSED' | 'info';
}

const ms = (v: number) => `${fixed(v)} ms`;
const commands = (c: Record<string, number>) =>
  Object.entries(c)
    .map(([k, v]) => (v === 1 ? k : `${k} ×${v}`))
    .join(', ') || '—';

/** The figures for the results table: integrity as pass/fail, the rest for information. */
export function auditFigures(r: AuditResults): AuditFigure[] {
  const out: AuditFigure[] = [];
  out.push({ name: 'append, 1 writer: recordAudit p50 (p99)', measured: `${ms(r.single.ms.p50)} (${ms(r.single.ms.p99)}), ${fixed(r.single.eventsPerSecond, 0)} events/s`, target: '', status: 'info' });
  for (const c of r.concurrent) {
    out.push({
      name: `append, ${c.writers} writers: throughput, p50 (p99), lost races`,
      measured: `${fixed(c.eventsPerSecond, 0)} events/s, ${ms(c.ms.p50)} (${ms(c.ms.p99)}), ${fixed(c.lostRaces / c.events)} lost races per event`,
      target: '',
      status: 'info',
    });
  }
  for (const v of r.verify) {
    out.push({ name: `verifyAuditLog, ${v.events} events`, measured: `${fixed(v.seconds)} s (${fixed(v.eventsPerSecond, 0)} events/s)`, target: 'ok', status: v.ok ? 'PASS' : 'MISSED' });
  }
  out.push({ name: `signCheckpoints, ${r.checkpoint.chains} chains of ${r.checkpoint.events} events`, measured: `${fixed(r.checkpoint.seconds)} s, ${r.checkpoint.signed} signed`, target: `${r.checkpoint.chains} signed`, status: r.checkpoint.signed === r.checkpoint.chains ? 'PASS' : 'MISSED' });
  out.push({ name: 'no event lost (in the chains = written), every chain verifies', measured: `${r.integrity.stored} of ${r.integrity.issued}`, target: 'all', status: r.integrity.ok ? 'PASS' : 'MISSED' });
  for (const o of r.api.routes) {
    out.push({
      name: `${o.method} ${o.path} (${o.category}) server p50 with its audit event`,
      measured: `${ms(o.audited.server.p50)} vs ${ms(o.unaudited.server.p50)} without (+${ms(o.audited.server.p50 - o.unaudited.server.p50)})`,
      target: '',
      status: 'info',
    });
  }
  return out;
}

const APPEND_HEADER = ['writers', 'events', 'wall s', 'events/s', 'p50 ms', 'p99 ms', 'mean ms', 'max ms', 'lost races (retried)', 'per event', 'by reason', 'refused'];
const appendRow = (a: AppendRun) => [
  String(a.writers),
  String(a.events),
  fixed(a.seconds),
  fixed(a.eventsPerSecond, 0),
  fixed(a.ms.p50),
  fixed(a.ms.p99),
  fixed(a.ms.mean),
  fixed(a.ms.max),
  String(a.lostRaces),
  fixed(a.lostRaces / a.events),
  Object.entries(a.lostRaceReasons).map(([k, v]) => `${k} ${v}`).join(', ') || '—',
  String(a.refused),
];

const API_HEADER = ['route', 'audit', 'n', 'server p50 ms', 'server p99 ms', 'client p50 ms', 'in DynamoDB Local p50 ms', 'DynamoDB calls / request', 'items per transaction (of which audit)', 'p50 before the audit log (docs, abb2cc4)'];
const variantRow = (label: string, audit: string, v: RouteVariant, before?: number) => [
  label,
  audit,
  String(v.n),
  fixed(v.server.p50),
  fixed(v.server.p99),
  fixed(v.client.p50),
  fixed(v.dynamoP50),
  commands(v.commands),
  v.transactItems > 0 ? `${fixed(v.transactItems, 0)} (${fixed(v.auditItems, 0)})` : '—',
  before !== undefined && Number.isFinite(before) ? fixed(before) : '—',
];
const apiRows = (r: AuditResults) => [
  ...r.api.routes.flatMap((o: RouteOverhead) => [
    variantRow(`${o.method} ${o.path}`, `on (${o.category})`, o.audited, o.preAuditP50),
    variantRow(`${o.method} ${o.path}`, 'off (same request)', o.unaudited),
  ]),
  variantRow(r.api.reference.path, 'not audited (route)', r.api.reference.variant),
];

const VERIFY_HEADER = ['events', 'verify s', 'events/s', 'ok', 'DynamoDB commands', 'log grown first (not timed in verify)'];
const fillLabel = (v: AuditResults['verify'][number]) =>
  v.fill.events ? `${v.fill.events} more at ${fixed(v.fill.eventsPerSecond, 0)}/s (${v.fill.method === 'bulk' ? 'chain items in BatchWriteItem' : `recordAudit, ${v.fill.lostRaces} lost races`})` : '—';

export function auditConsole(r: AuditResults): string {
  return [
    `Audit log (local stack, ${r.shards} chains):`,
    textTable(APPEND_HEADER, [appendRow(r.single), ...r.concurrent.map(appendRow)]),
    '',
    textTable(VERIFY_HEADER, r.verify.map((v) => [String(v.events), fixed(v.seconds), fixed(v.eventsPerSecond, 0), String(v.ok), commands(v.commands), fillLabel(v)])),
    `signCheckpoints: ${r.checkpoint.signed}/${r.checkpoint.chains} chains signed in ${fixed(r.checkpoint.seconds)} s over ${r.checkpoint.events} events (16 signatures alone ${fixed(r.checkpoint.signOnlyMs, 1)} ms); integrity ${r.integrity.ok ? 'ok' : 'FAILED'} (${r.integrity.stored}/${r.integrity.issued})`,
    '',
    textTable(API_HEADER, apiRows(r)),
  ].join('\n');
}

/** The section, markers included; `provenance` is the date / machine / load / commit line of the run; `analysis` the paragraph kept in the docs. */
export function auditMarkdown(r: AuditResults, provenance: string, analysis: string): string {
  const lines: string[] = [AUDIT_SECTION_START, '## Audit log (issue 6)', ''];
  lines.push(provenance);
  lines.push('');
  lines.push(
    `In-process against the local stack's DynamoDB Local (${r.dynamoDbLocal}), ${r.shards} chains (\`AUDIT_SHARDS\`). Events are what a member's ` +
      '`GET /documents/{id}` records (ids, route, status, IP, user agent; the by-resource and by-actor index keys), appended with `recordAudit` ' +
      '(one consistent GetItem of a random chain head, then a TransactWriteItems of the event and the moved head; a lost race is retried on a fresh head by `withAudit`). ' +
      'Lost races are counted by a middleware on the benchmark\'s document client: a TransactionCanceled whose only failed items are the audit ones. ' +
      'Latency is each `recordAudit` call, retries included.',
  );
  lines.push('');
  lines.push(markdownTable(['figure', 'measured', 'target', 'result'], auditFigures(r).map((f) => [f.name, f.measured, f.target, f.status === 'MISSED' ? '**MISSED**' : f.status])));
  lines.push('');
  lines.push('Append (one unrecorded warm-up pass, then each run on the growing log):');
  lines.push('');
  lines.push(markdownTable(APPEND_HEADER, [appendRow(r.single), ...r.concurrent.map(appendRow)]));
  lines.push('');
  lines.push(
    'Verify (`verifyAuditLog`: every chain by queries of 500 items, consistent reads, each event\'s SHA-256 recomputed and linked). The log is the append runs\' events, grown to each size first (not timed): ' +
      (r.verify.some((v) => v.fill.method === 'bulk')
        ? 'the events beyond the append runs are built by the writer\'s own `appendItems` (the same items, index keys, hashes and links as `recordAudit` writes) and written 25 per BatchWriteItem, each chain\'s head moved once at the end, because `recordAudit` at the rates above would take far longer than this benchmark\'s budget; '
        : 'with `recordAudit`; ') +
      `then \`signCheckpoints\` (it verifies each chain again before signing its head): ${r.checkpoint.signed} of ${r.checkpoint.chains} chains signed in ${fixed(r.checkpoint.seconds)} s ` +
      `over ${r.checkpoint.events} events (${commands(r.checkpoint.commands)}; the ${r.checkpoint.chains} P-256 signatures alone ${fixed(r.checkpoint.signOnlyMs, 1)} ms with the local keyring key). ` +
      `Afterwards ${r.integrity.stored} events were in the chains for ${r.integrity.issued} written (heads sum to ${r.integrity.headSeqs}), and every chain verified with its new checkpoint.`,
  );
  lines.push('');
  lines.push(markdownTable(VERIFY_HEADER, r.verify.map((v) => [String(v.events), fixed(v.seconds), fixed(v.eventsPerSecond, 0), String(v.ok), commands(v.commands), fillLabel(v)])));
  lines.push('');
  lines.push(
    'API requests over HTTP (one owner, 20 documents and 20 folders cycled): each request sent once with its route\'s audit category and once with it taken off in the benchmark\'s own route table ' +
      '(the same handler, the same request), interleaved, the order alternating; then the unaudited `listVersions` of the same documents for reference. Server time from `server-timing`; ' +
      'DynamoDB calls counted on the stack\'s client. The last column is the route\'s p50 in this file\'s API table as the last full run wrote it (2026-11-23, commit abb2cc4, before the audit log; other load).',
  );
  lines.push('');
  lines.push(markdownTable(API_HEADER, apiRows(r)));
  lines.push('');
  lines.push(`After the API requests the whole log (${r.finalVerify.events} events) verified again in ${fixed(r.finalVerify.seconds)} s.`);
  if (analysis.trim()) {
    lines.push('');
    lines.push(analysis.trim());
  }
  lines.push(AUDIT_SECTION_END);
  return lines.join('\n');
}

/** The analysis paragraph of the current section (written by hand, kept across runs): between the last table's end and the end marker. */
export function keptAnalysis(text: string): string {
  const start = text.indexOf(AUDIT_SECTION_START);
  const end = text.indexOf(AUDIT_SECTION_END);
  if (start < 0 || end < start) return '';
  const marker = text.indexOf('**Analysis.**', start);
  return marker >= 0 && marker < end ? text.slice(marker, end).trim() : '';
}

/** `text` with its audit section replaced by `section` (or `section` added before "## How to run"). */
export function spliceAuditSection(text: string, section: string): string {
  return spliceMarkedSection(text, section, AUDIT_SECTION_START, AUDIT_SECTION_END);
}

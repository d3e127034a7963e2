import { type Command, Option } from 'commander';
import type { AuditCategory } from '../../../shared/core/api/auditEvent.js';
import { CofferError } from '../../../shared/core/errors/index.js';
import { AUDIT_CATEGORIES } from '../../../shared/core/api/schemas/audit.js';
import type { AuditEventQuery, AuditReport } from '../../sdk/audit.js';
import type { CliIo } from '../io.js';
import type { Runner } from './Runner.js';

/** Where a finding is: its shard and seq, range or sort key. */
export function findingPlace(f: AuditReport['findings'][number]): string {
  switch (f.kind) {
    case 'modified':
      return `shard ${f.shard} seq ${f.seq} (${f.detail})`;
    case 'removed':
      return `shard ${f.shard} seq ${f.from}${f.to !== f.from ? `-${f.to}` : ''}`;
    case 'inserted':
      return `shard ${f.shard} at ${f.sk} (${f.detail})`;
    case 'reordered':
      return `shard ${f.shard} seq ${f.seq} (holds the event written at ${String(f.holds)})`;
    case 'forgedCheckpoint':
      return `shard ${f.shard} at ${f.sk} (${f.detail})`;
    case 'checkpointMismatch':
      return `shard ${f.shard} checkpoint at seq ${f.seq} (events ${f.from}-${f.to} rewritten)`;
  }
}

const findingLines = (findings: AuditReport['findings']) => findings.map((f) => `  ${f.kind}: ${findingPlace(f)}`).join('\n');

/** A log that does not verify is a failure of the command (exit 8), naming every finding. */
function invalid(summary: string, findings: AuditReport['findings'], details: Record<string, unknown>): CofferError {
  return new CofferError('AUDIT_LOG_INVALID', `${summary}:\n${findingLines(findings)}`, details);
}

/** Writes and waits for the stream to drain when it asks to (a slow `> file` or pipe). */
async function write(io: CliIo, text: string): Promise<void> {
  const out = io.stdout as CliIo['stdout'] & { once?: (event: 'drain', listener: () => void) => unknown };
  if (out.write(text) === false && typeof out.once === 'function') await new Promise<void>((resolve) => out.once!('drain', resolve));
}

interface ExportFlags {
  since: string;
  until?: string;
  resource?: string;
  category?: AuditCategory;
  actor?: string;
  external?: boolean;
}

/** The query of `audit export`: exactly one of --resource (with --category), --actor, --external. */
function exportQuery(flags: ExportFlags): AuditEventQuery {
  const chosen = [flags.resource !== undefined, flags.actor !== undefined, flags.external === true].filter(Boolean).length;
  if (chosen !== 1) throw new CofferError('USAGE', 'Choose what to export: exactly one of --resource ID [--category C], --actor ID or --external.');
  if (flags.category && flags.resource === undefined) throw new CofferError('USAGE', '--category goes with --resource.');
  const range = { since: flags.since, ...(flags.until ? { until: flags.until } : {}) };
  if (flags.resource !== undefined) return { resource: flags.resource, ...(flags.category ? { category: flags.category } : {}), ...range };
  if (flags.actor !== undefined) return { actor: flags.actor, ...range };
  return { external: true, ...range };
}

/** The audit log (docs/audit.md): verify, checkpoint, export. */
export function auditCommands(program: Command, run: Runner, io: CliIo): void {
  const audit = program.command('audit').description('the tamper-evident audit log: verify it, sign checkpoints, export events as JSON Lines');

  audit
    .command('verify')
    .description('check every audit chain and checkpoint (auditors); exit 8 naming each finding when the log does not verify')
    .action((_flags: unknown, command: Command) =>
      run(command, async (ctx) => {
        ctx.requireSession();
        const report = await ctx.client.verifyAudit();
        const events = report.shards.reduce((n, s) => n + s.events, 0);
        const checkpoints = report.shards.reduce((n, s) => n + s.checkpoints, 0);
        if (!report.ok) throw invalid(`The audit log does not verify: ${report.findings.length} finding(s)`, report.findings, { report });
        ctx.output.result(report, () => `The audit log verifies: ${report.shards.length} chains, ${events} events, ${checkpoints} signed checkpoints.`);
      }),
    );

  audit
    .command('checkpoint')
    .description('sign a checkpoint of every chain that grew since its last one, now (auditors; the server also does it hourly)')
    .action((_flags: unknown, command: Command) =>
      run(command, async (ctx) => {
        ctx.requireSession();
        const signing = await ctx.client.checkpointAudit();
        if (signing.refused.length > 0) {
          const findings = signing.refused.flatMap((r) => r.findings);
          throw invalid(`Not signed: ${signing.refused.length} chain(s) do not verify (${signing.signed.length} signed)`, findings, { ...signing });
        }
        ctx.output.result(signing, () =>
          signing.signed.length === 0
            ? 'Nothing to sign: no chain grew since its last checkpoint.'
            : `Signed ${signing.signed.length} checkpoint(s): ${signing.signed.map((s) => `shard ${s.shard} at seq ${s.seq}`).join(', ')}.`,
        );
      }),
    );

  audit
    .command('export')
    .description('write audit events as JSON Lines (one event per line, oldest first) to stdout, a page at a time')
    .requiredOption('--since <iso>', 'from this instant, inclusive (e.g. 2026-01-01T00:00:00Z)')
    .option('--until <iso>', 'up to this instant, exclusive')
    .option('--resource <id>', "a document, folder, group or link: its events (yours if you own it; any as an auditor)")
    .addOption(new Option('--category <c>', 'with --resource: one category (access: who accessed it; permission: its permission history)').choices(AUDIT_CATEGORIES))
    .option('--actor <id>', 'everything one user (or link) did (yourself; anyone as an auditor)')
    .option('--external', "the external-access report: guests' requests and link opens (auditors)")
    .action((flags: ExportFlags, command: Command) =>
      run(command, async (ctx) => {
        ctx.requireSession();
        const query = exportQuery(flags);
        let count = 0;
        let cursor: string | undefined;
        do {
          const page = await ctx.client.auditEventsPage(query, { limit: 500, ...(cursor ? { cursor } : {}) });
          if (page.events.length > 0) await write(io, page.events.map((e) => `${JSON.stringify(e)}\n`).join(''));
          count += page.events.length;
          cursor = page.cursor;
        } while (cursor);
        ctx.output.note(`Exported ${count} event(s).`);
      }),
    );
}

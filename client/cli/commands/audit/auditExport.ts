import { type Command, Option } from 'commander';
import type { AuditCategory } from '../../../../shared/core/api/auditEvent.js';
import { AUDIT_CATEGORIES } from '../../../../shared/core/api/schemas/audit.js';
import { CofferError } from '../../../../shared/core/errors/index.js';
import type { AuditEventQuery } from '../../../sdk/audit.js';
import type { CliContext } from '../../context.js';
import type { CliIo } from '../../io.js';
import type { CommandDefinition } from '../CommandDefinition.js';

interface ExportFlags {
  since: string;
  until?: string;
  resource?: string;
  category?: AuditCategory;
  actor?: string;
  external?: boolean;
}

/** `coffer audit export --since ...`: events as JSON Lines on stdout, a page at a time. */
export const auditExport: CommandDefinition = (parent, { run, io }) => {
  parent
    .command('export')
    .description('write audit events as JSON Lines (one event per line, oldest first) to stdout, a page at a time')
    .requiredOption('--since <iso>', 'from this instant, inclusive (e.g. 2026-01-01T00:00:00Z)')
    .option('--until <iso>', 'up to this instant, exclusive')
    .option('--resource <id>', "a document, folder, group or link: its events (yours if you own it; any as an auditor)")
    .addOption(new Option('--category <c>', 'with --resource: one category (access: who accessed it; permission: its permission history)').choices(AUDIT_CATEGORIES))
    .option('--actor <id>', 'everything one user (or link) did (yourself; anyone as an auditor)')
    .option('--external', "the external-access report: guests' requests and link opens (auditors)")
    .action((flags: ExportFlags, command: Command) => run(command, (ctx) => exportEvents(ctx, io, flags)));
};

async function exportEvents(ctx: CliContext, io: CliIo, flags: ExportFlags): Promise<void> {
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

/** Writes and waits for the stream to drain when it asks to (a slow `> file` or pipe). */
async function write(io: CliIo, text: string): Promise<void> {
  const out = io.stdout as CliIo['stdout'] & { once?: (event: 'drain', listener: () => void) => unknown };
  if (out.write(text) === false && typeof out.once === 'function') await new Promise<void>((resolve) => out.once!('drain', resolve));
}

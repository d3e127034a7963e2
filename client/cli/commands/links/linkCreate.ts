import type { Command } from 'commander';
import type { CliContext } from '../../context.js';
import { parseExpiry } from '../../expiry.js';
import type { CliIo } from '../../io.js';
import { createdLinkText } from '../../linkFormat.js';
import { MODE_HELP, parseAudience, parseMaxDownloads } from '../../linkOptions.js';
import { LINK_PASSWORD_ENV, newLinkPassword } from '../../linkPassword.js';
import { expiresOption } from '../../options/expiresOption.js';
import type { CommandDefinition } from '../CommandDefinition.js';

interface CreateFlags {
  expires?: string;
  password?: boolean;
  maxDownloads?: string;
  mode?: string;
  viewOnly?: boolean;
}

/** `coffer link create ID`: a share link, its URL printed once. */
export const linkCreate: CommandDefinition = (parent, { run, io }) => {
  parent
    .command('create')
    .description('make a share link to a document or folder (needs the share level); prints its URL once')
    .argument('<id>', 'document or folder id')
    .addOption(expiresOption("when the link stops working (default 7 days, at most the server's maximum)"))
    .option('--password', `require a password as well (typed twice on the terminal, or from $${LINK_PASSWORD_ENV})`)
    .option('--max-downloads <n>', 'stop after N downloads of a document (1 to 1,000,000)')
    .option('--mode <who>', MODE_HELP)
    .option('--view-only', 'allow viewing, not downloading: `coffer open` shows it on a terminal and never saves it')
    .action((id: string, flags: CreateFlags, command: Command) => run(command, (ctx) => createLink(ctx, io, id, flags)));
};

async function createLink(ctx: CliContext, io: CliIo, id: string, flags: CreateFlags): Promise<void> {
  // Everything that can be refused locally is refused before the session check and any prompt.
  const expiresAt = flags.expires === undefined ? undefined : parseExpiry(flags.expires);
  const maxDownloads = flags.maxDownloads === undefined ? undefined : parseMaxDownloads(flags.maxDownloads);
  const audience = flags.mode === undefined ? undefined : parseAudience(flags.mode);
  ctx.requireSession();
  const password = flags.password ? await newLinkPassword(io) : undefined;
  const created = await ctx.client.createLink(id, {
    ...(expiresAt && { expiresAt }),
    ...(flags.viewOnly && { access: 'view' as const }),
    ...(maxDownloads !== undefined && { maxDownloads }),
    ...(password !== undefined && { password }),
    ...(audience && { audience }),
  });
  // The one place the URL (with its token and secret) is ever printed.
  ctx.output.result({ url: created.url, link: created.link }, () => createdLinkText(created.url, created.link, id));
}

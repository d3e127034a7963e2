import type { Command } from 'commander';
import type { LinkSummary } from '../../sdk/links.js';
import { EXPIRES_HELP, parseExpiry } from '../expiry.js';
import type { CliIo } from '../io.js';
import { createdLinkText, linkTable } from '../linkFormat.js';
import { MODE_HELP, parseAudience, parseMaxDownloads } from '../linkOptions.js';
import { LINK_PASSWORD_ENV, newLinkPassword } from '../linkPassword.js';
import type { Runner } from './Runner.js';

interface CreateFlags {
  expires?: string;
  password?: boolean;
  maxDownloads?: string;
  mode?: string;
  viewOnly?: boolean;
}

/** `coffer link create | ls | revoke`: share links (docs/links.md "CLI"). */
export function linkCommands(program: Command, run: Runner, io: CliIo): void {
  const link = program
    .command('link')
    .description('share links: a URL that opens a document or folder for people without access (`coffer open URL`)');

  link
    .command('create')
    .description('make a share link to a document or folder (needs the share level); prints its URL once')
    .argument('<id>', 'document or folder id')
    .option('--expires <when>', `when the link stops working (default 7 days, at most the server's maximum): ${EXPIRES_HELP}`)
    .option('--password', `require a password as well (typed twice on the terminal, or from $${LINK_PASSWORD_ENV})`)
    .option('--max-downloads <n>', 'stop after N downloads of a document (1 to 1,000,000)')
    .option('--mode <who>', MODE_HELP)
    .option('--view-only', 'allow viewing, not downloading: `coffer open` shows it on a terminal and never saves it')
    .action((id: string, flags: CreateFlags, command: Command) =>
      run(command, async (ctx) => {
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
      }),
    );

  link
    .command('ls')
    .description('the links to a document or folder: state, expiry, downloads, opens, last access (never their URLs)')
    .argument('<id>', 'document or folder id')
    .action((id: string, _flags: unknown, command: Command) =>
      run(command, async (ctx) => {
        ctx.requireSession();
        const links: LinkSummary[] = [];
        let cursor: string | undefined;
        do {
          const page = await ctx.client.listLinks(id, { limit: 100, ...(cursor && { cursor }) });
          links.push(...page.links);
          cursor = page.cursor;
        } while (cursor);
        ctx.output.result({ nodeId: id, links }, () =>
          links.length === 0 ? `No links to ${id}: make one with \`coffer link create ${id}\`.` : linkTable(links),
        );
      }),
    );

  link
    .command('revoke')
    .description('end a share link at once: its URL opens nothing any more')
    .argument('<link>', 'the link id (see `coffer link ls ID`)')
    .action((linkId: string, _flags: unknown, command: Command) =>
      run(command, async (ctx) => {
        ctx.requireSession();
        await ctx.client.revokeLink(linkId);
        ctx.output.result({ linkId, revoked: true }, () =>
          `Revoked link ${linkId}: its URL opens nothing any more. Copies already downloaded stay with whoever has them.`,
        );
      }),
    );
}

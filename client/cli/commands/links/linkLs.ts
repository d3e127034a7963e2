import type { Command } from 'commander';
import type { LinkSummary } from '../../../sdk/links.js';
import { linkTable } from '../../linkFormat.js';
import type { CommandDefinition } from '../CommandDefinition.js';

/** `coffer link ls ID`: the links to a document or folder, never their URLs. */
export const linkLs: CommandDefinition = (parent, { run }) => {
  parent
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
};

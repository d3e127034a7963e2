import type { Command } from 'commander';
import type { CommandDefinition } from '../CommandDefinition.js';

/** `coffer link revoke LINK`: its URL opens nothing any more. */
export const linkRevoke: CommandDefinition = (parent, { run }) => {
  parent
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
};

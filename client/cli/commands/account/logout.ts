import type { Command } from 'commander';
import type { CommandDefinition } from '../CommandDefinition.js';

/** `coffer logout`: end the session here and on the server. */
export const logout: CommandDefinition = (parent, { run }) => {
  parent
    .command('logout')
    .description('end the session here and on the server')
    .action((_flags: unknown, command: Command) =>
      run(command, async (ctx) => {
        const result = await ctx.client.logout();
        ctx.output.result({ loggedOut: result.userId !== undefined, ...result }, () => {
          if (!result.userId) return 'Not logged in.';
          const warn = result.serverRevoked ? '' : ' (the server could not be told: the session there ends when it expires)';
          return `Logged out ${result.userId}${warn}.`;
        });
      }),
    );
};

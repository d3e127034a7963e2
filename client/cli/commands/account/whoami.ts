import type { Command } from 'commander';
import type { CommandDefinition } from '../CommandDefinition.js';
import { profileLine } from './profileLine.js';

/** `coffer whoami`: your profile. */
export const whoami: CommandDefinition = (parent, { run }) => {
  parent
    .command('whoami')
    .description('show your profile')
    .action((_flags: unknown, command: Command) =>
      run(command, async (ctx) => {
        ctx.requireSession();
        const me = await ctx.client.whoami();
        ctx.output.result({ ...me, serverUrl: ctx.serverUrl }, () =>
          [profileLine(me), `fingerprint  ${me.fingerprint}`, `server       ${ctx.serverUrl}`, `since        ${me.createdAt}`].join('\n'),
        );
      }),
    );
};

import type { Command } from 'commander';
import type { CommandDefinition } from '../CommandDefinition.js';
import { rewrapLine } from './rewrapLine.js';

/** `coffer group rewrap ID`: finish re-wrapping a group's grants for its current key. */
export const groupRewrap: CommandDefinition = (parent, { run }) => {
  parent
    .command('rewrap')
    .description('finish re-wrapping the grants made to a group for its current key (resumable)')
    .argument('<id>', 'group id')
    .action((id: string, _flags: unknown, command: Command) =>
      run(command, async (ctx) => {
        ctx.requireSession();
        const result = await ctx.client.rewrapGroupGrants(id);
        ctx.output.result(result, () => rewrapLine(result));
      }),
    );
};

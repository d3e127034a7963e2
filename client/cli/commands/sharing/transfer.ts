import type { Command } from 'commander';
import type { CommandDefinition } from '../CommandDefinition.js';

/** `coffer transfer ID USER`: make another member the owner. */
export const transfer: CommandDefinition = (parent, { run }) => {
  parent
    .command('transfer')
    .description('make another member the owner (they must already have a direct share); you become manager')
    .argument('<id>', 'document or folder id')
    .argument('<user>', 'the new owner')
    .action((id: string, user: string, _flags: unknown, command: Command) =>
      run(command, async (ctx) => {
        ctx.requireSession();
        const result = await ctx.client.transferOwnership(id, user);
        ctx.output.result(result, () => `${result.ownerId} now owns ${id}; you are ${result.previousOwner.role}.`);
      }),
    );
};

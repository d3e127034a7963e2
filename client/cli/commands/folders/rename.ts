import type { Command } from 'commander';
import { printable } from '../../format.js';
import type { CommandDefinition } from '../CommandDefinition.js';

/** `coffer rename ID NAME`: the new name is encrypted here. */
export const rename: CommandDefinition = (parent, { run }) => {
  parent
    .command('rename')
    .description('rename a document or folder (the new name is encrypted here)')
    .argument('<id>', 'the document or folder')
    .argument('<name>', 'the new name')
    .action((id: string, name: string, _flags: unknown, command: Command) =>
      run(command, async (ctx) => {
        ctx.requireSession();
        const result = await ctx.client.rename(id, name);
        ctx.output.result(result, () => `Renamed ${id} to ${printable(name)}.`);
      }),
    );
};

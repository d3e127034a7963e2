import type { Command } from 'commander';
import { printable } from '../../format.js';
import type { CommandDefinition } from '../CommandDefinition.js';

/** `coffer group rename ID NAME` (admins). */
export const groupRename: CommandDefinition = (parent, { run }) => {
  parent
    .command('rename')
    .description('rename a group (admins)')
    .argument('<id>', 'group id')
    .argument('<name>', 'new name (1-100 characters)')
    .action((id: string, name: string, _flags: unknown, command: Command) =>
      run(command, async (ctx) => {
        ctx.requireSession();
        const result = await ctx.client.renameGroup(id, name);
        ctx.output.result(result, () => `Renamed ${id} to ${printable(result.name)}.`);
      }),
    );
};

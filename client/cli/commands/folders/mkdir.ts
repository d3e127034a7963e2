import type { Command } from 'commander';
import { printable } from '../../format.js';
import type { CommandDefinition } from '../CommandDefinition.js';

/** `coffer mkdir NAME`: a folder, its key and name made and encrypted here. */
export const mkdir: CommandDefinition = (parent, { run }) => {
  parent
    .command('mkdir')
    .description('create a folder (its key and name are made and encrypted here)')
    .argument('<name>', 'the folder name')
    .option('--parent <id>', 'create it inside this folder (default: the top level)')
    .action((name: string, flags: { parent?: string }, command: Command) =>
      run(command, async (ctx) => {
        ctx.requireSession();
        const created = await ctx.client.createFolder(name, flags.parent ? { parent: flags.parent } : {});
        ctx.output.result(created, () => `Created folder ${printable(name)} as ${created.folderId}${flags.parent ? ` in ${flags.parent}` : ''}.`);
      }),
    );
};

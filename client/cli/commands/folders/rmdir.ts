import type { Command } from 'commander';
import type { CommandDefinition } from '../CommandDefinition.js';

/** `coffer rmdir ID`: delete a folder and everything in it. */
export const rmdir: CommandDefinition = (parent, { run }) => {
  parent
    .command('rmdir')
    .description('delete a folder you own and everything in it, for everyone')
    .argument('<id>', 'the folder')
    .action((id: string, _flags: unknown, command: Command) =>
      run(command, async (ctx) => {
        ctx.requireSession();
        const result = await ctx.client.deleteFolder(id);
        ctx.output.result(result, () => `Deleted folder ${id}: ${plural(result.deletedFolders, 'folder')} and ${plural(result.deletedDocuments, 'document')}.`);
      }),
    );
};

function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

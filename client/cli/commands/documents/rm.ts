import type { Command } from 'commander';
import type { CommandDefinition } from '../CommandDefinition.js';

/** `coffer rm ID`: delete a document you own, for everyone. */
export const rm: CommandDefinition = (parent, { run }) => {
  parent
    .command('rm')
    .description('delete a document you own, for everyone')
    .argument('<id>', 'document id')
    .action((id: string, _flags: unknown, command: Command) =>
      run(command, async (ctx) => {
        ctx.requireSession();
        await ctx.client.remove(id);
        ctx.output.result({ documentId: id, deleted: true }, () => `Deleted ${id}.`);
      }),
    );
};

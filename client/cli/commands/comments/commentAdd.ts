import type { Command } from 'commander';
import type { CommandDefinition } from '../CommandDefinition.js';

/** `coffer comment add ID TEXT`: encrypted here. */
export const commentAdd: CommandDefinition = (parent, { run }) => {
  parent
    .command('add')
    .description('add a comment (needs the commenter level or above)')
    .argument('<id>', 'document id (see `coffer ls`)')
    .argument('<text>', 'the comment (quote it)')
    .action((id: string, text: string, _flags: unknown, command: Command) =>
      run(command, async (ctx) => {
        ctx.requireSession();
        const added = await ctx.client.addComment(id, text);
        ctx.output.result(added, () => `Comment ${added.commentId} added to ${id}.`);
      }),
    );
};

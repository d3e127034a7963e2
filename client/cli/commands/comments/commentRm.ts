import type { Command } from 'commander';
import type { CommandDefinition } from '../CommandDefinition.js';

/** `coffer comment rm ID COMMENT`: your own, or any if you manage the document. */
export const commentRm: CommandDefinition = (parent, { run }) => {
  parent
    .command('rm')
    .description('delete a comment: your own, or any if you manage the document')
    .argument('<id>', 'document id')
    .argument('<commentId>', 'comment id (see `coffer comment ls ID`)')
    .action((id: string, commentId: string, _flags: unknown, command: Command) =>
      run(command, async (ctx) => {
        ctx.requireSession();
        await ctx.client.deleteComment(id, commentId);
        ctx.output.result({ documentId: id, commentId, deleted: true }, () => `Deleted comment ${commentId}.`);
      }),
    );
};

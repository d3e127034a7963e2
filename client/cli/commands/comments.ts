import type { Command } from 'commander';
import type { CommentEntry } from '../../sdk/comments.js';
import { printable, table } from '../format.js';
import type { Runner } from './Runner.js';

/** `coffer comment add|ls|rm`: comments are encrypted and decrypted on this machine. */
export function commentCommands(program: Command, run: Runner): void {
  const comment = program.command('comment').description('comments on a document, end-to-end encrypted (add, ls, rm)');

  comment
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

  comment
    .command('ls')
    .description("list a document's comments, oldest first")
    .argument('<id>', 'document id')
    .action((id: string, _flags: unknown, command: Command) =>
      run(command, async (ctx) => {
        ctx.requireSession();
        const comments = await ctx.client.listComments(id);
        ctx.output.result({ documentId: id, comments }, () => {
          if (comments.length === 0) return `No comments on ${id} yet: \`coffer comment add ${id} "text"\`.`;
          return table(
            ['COMMENT', 'AUTHOR', 'CREATED', 'TEXT'],
            comments.map((c) => [c.commentId, c.authorId, c.createdAt.slice(0, 16).replace('T', ' '), textOf(c)]),
          );
        });
      }),
    );

  comment
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
}

/** One line per comment in the table: line breaks and control characters shown escaped. */
function textOf(c: CommentEntry): string {
  return c.text === undefined ? `<unreadable: ${c.textError ?? 'DECRYPTION_FAILED'}>` : printable(c.text);
}

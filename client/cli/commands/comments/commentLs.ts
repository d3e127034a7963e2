import type { Command } from 'commander';
import type { CommentEntry } from '../../../sdk/comments.js';
import { printable, table } from '../../format.js';
import type { CommandDefinition } from '../CommandDefinition.js';

/** `coffer comment ls ID`: a document's comments, decrypted here, oldest first. */
export const commentLs: CommandDefinition = (parent, { run }) => {
  parent
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
};

/** One line per comment in the table: line breaks and control characters shown escaped. */
function textOf(c: CommentEntry): string {
  return c.text === undefined ? `<unreadable: ${c.textError ?? 'DECRYPTION_FAILED'}>` : printable(c.text);
}

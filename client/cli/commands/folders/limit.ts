import type { Command } from 'commander';
import type { CommandDefinition } from '../CommandDefinition.js';

/** `coffer limit ID [--off]`: limited access on a folder, or off again. */
export const limit: CommandDefinition = (parent, { run }) => {
  parent
    .command('limit')
    .description("limited access: the folder stops inheriting access from its parent and gets a new key (--off: inherit again)")
    .argument('<id>', 'the folder')
    .option('--off', 'turn limited access off')
    .action((id: string, flags: { off?: boolean }, command: Command) =>
      run(command, async (ctx) => {
        ctx.requireSession();
        const result = flags.off ? await ctx.client.unlimitFolder(id) : await ctx.client.limitFolder(id);
        ctx.output.result(result, () =>
          result.limited
            ? `Limited access on for ${id}: only its direct grantees keep access (new key, generation ${result.keyGeneration}).`
            : `Limited access off for ${id}: it inherits access from its parent folder again.`,
        );
      }),
    );
};

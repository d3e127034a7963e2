import type { Command } from 'commander';
import type { CommandDefinition } from '../CommandDefinition.js';
import { lazyBar } from './lazyBar.js';
import { staleLinksLine } from '../../staleLinksLine.js';

/** `coffer rotate ID`: a new key generation, and the latest version re-encrypted under it. */
export const rotate: CommandDefinition = (parent, { run, io }) => {
  parent
    .command('rotate')
    .description('start a new key generation now and re-encrypt the latest version under it (managers)')
    .argument('<id>', 'document id')
    .option('--key-only', 'only start the new key generation; do not re-encrypt the latest version')
    .action((id: string, flags: { keyOnly?: boolean }, command: Command) =>
      run(command, async (ctx) => {
        ctx.requireSession();
        const bar = lazyBar(ctx.output, io, 'rotate  ');
        let result;
        try {
          result = await ctx.client.rotate(id, { keyOnly: flags.keyOnly ?? false, onProgress: bar.update });
        } finally {
          bar.stop();
        }
        ctx.output.result(result, () =>
          [
            `${id} is now at key generation ${result.keyGeneration}.`,
            staleLinksLine(id, result.staleLinks),
            result.version !== undefined
              ? `The latest content was re-encrypted as version ${result.version}; older versions stay under their old keys.`
              : `Nothing was re-encrypted: \`coffer rotate ${id}\` (without --key-only) re-encrypts the latest version.`,
          ].join('\n'),
        );
      }),
    );
};

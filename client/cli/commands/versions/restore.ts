import type { Command } from 'commander';
import { versionArgument } from '../../versionArgument.js';
import type { CommandDefinition } from '../CommandDefinition.js';
import { lazyBar } from './lazyBar.js';

/** `coffer restore ID VERSION`: an old version again, as a new version under the current key. */
export const restore: CommandDefinition = (parent, { run, io }) => {
  parent
    .command('restore')
    .description('restore an old version as a new version (decrypted here, encrypted again under the current key)')
    .argument('<id>', 'document id')
    .argument('<version>', 'the version to restore (see `coffer versions ID`)', versionArgument)
    .action((id: string, version: number, _flags: unknown, command: Command) =>
      run(command, async (ctx) => {
        ctx.requireSession();
        const bar = lazyBar(ctx.output, io, 'restore ');
        let result;
        try {
          result = await ctx.client.restoreVersion(id, version, { onProgress: bar.update });
        } finally {
          bar.stop();
        }
        ctx.output.result(result, () => `Restored version ${version} of ${id} as version ${result.version}.`);
      }),
    );
};

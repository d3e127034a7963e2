import type { Command } from 'commander';
import { describeTransfer, transferJson } from '../../progress.js';
import type { CommandDefinition } from '../CommandDefinition.js';
import { sendFileJournaled } from '../documents/sendFileJournaled.js';

/** `coffer update ID FILE`: the next version of a document. */
export const update: CommandDefinition = (parent, { run, io }) => {
  parent
    .command('update')
    .description('encrypt a file here and upload it as the next version of a document (editors and above)')
    .argument('<id>', 'document id')
    .argument('<file>', 'the new content')
    .action((id: string, file: string, _flags: unknown, command: Command) =>
      run(command, async (ctx) => {
        ctx.requireSession();
        const { result, stats } = await sendFileJournaled(ctx, io, file, (sending) =>
          ctx.client.uploadVersion(id, sending.stream, {
            size: sending.size,
            onProgress: sending.onProgress,
            journal: sending.journal,
            signal: sending.signal,
          }),
        );
        ctx.output.result({ ...result, ...transferJson(stats) }, () => `Uploaded version ${result.version} of ${id} (key generation ${result.keyGeneration}): ${describeTransfer(stats)}.`);
      }),
    );
};

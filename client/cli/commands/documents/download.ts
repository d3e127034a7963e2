import { InvalidArgumentError, type Command } from 'commander';
import { interruptible } from '../../interruptible.js';
import { forceOption } from '../../options/forceOption.js';
import { versionArgument } from '../../versionArgument.js';
import type { CommandDefinition } from '../CommandDefinition.js';
import { downloadTo, type DownloadFlags } from './downloadTo.js';

/** `coffer download ID`: download, decrypt and save a document; Ctrl-C leaves no partial file. */
export const download: CommandDefinition = (parent, { run, io }) => {
  parent
    .command('download')
    .description('download and decrypt a document (saved under its original name, sanitised, unless -o)')
    .argument('<id>', 'document id (see `coffer ls`)')
    .option('-o, --output <path>', 'where to save it (a directory keeps the document name)')
    .option('--version <n>', 'an older version (see `coffer versions ID`) instead of the current one', versionArgument)
    .option('--range <start-end>', 'only plaintext bytes START to END (END exclusive; START- for the rest), fetching just the chunks that hold them', rangeOption)
    .addOption(forceOption())
    .action((id: string, flags: DownloadFlags, command: Command) =>
      run(command, async (ctx) => {
        ctx.requireSession();
        await interruptible('Cancelled: nothing was saved.', (signal) => downloadTo(ctx, io, id, flags, signal));
      }),
    );
};

/** --range START-END (END exclusive) or START- (to the end): plaintext byte offsets. */
function rangeOption(value: string): { start: number; end?: number } {
  const match = /^(\d{1,16})-(\d{1,16})?$/.exec(value.trim());
  const start = Number(match?.[1]);
  const end = match?.[2] === undefined ? undefined : Number(match[2]);
  if (!match || !Number.isSafeInteger(start) || (end !== undefined && !Number.isSafeInteger(end))) {
    throw new InvalidArgumentError('expected START-END in bytes, END exclusive (e.g. 0-1048576), or START- for the rest.');
  }
  if (end !== undefined && end <= start) throw new InvalidArgumentError(`END (${end}) must be greater than START (${start}).`);
  return end === undefined ? { start } : { start, end };
}

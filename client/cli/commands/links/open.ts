import type { Command } from 'commander';
import { interruptible } from '../../interruptible.js';
import { readLinkUrl, URL_FROM_STDIN } from '../../linkUrlInput.js';
import { forceOption } from '../../options/forceOption.js';
import type { CommandDefinition } from '../CommandDefinition.js';
import { type OpenFlags, openLinkUrl } from './openLinkUrl.js';

/** `coffer open URL`: opens a share link, with or without an account (docs/links.md "CLI"). */
export const open: CommandDefinition = (parent, { run, io }) => {
  parent
    .command('open')
    .description('open a share link: save its document, or list its folder (no account needed; decrypted here)')
    .argument('<url>', 'the link: SERVER/l/TOKEN#SECRET, the whole of it; or - to read it from stdin (typed without echo on a terminal), out of shell history and ps')
    .option('-o, --output <path>', 'where to save a document (a directory keeps its name; default: ./NAME)')
    .option('--item <id>', 'in a folder link: open this document or folder (ids from the listing)')
    .option('--password-stdin', 'read the link password from stdin, if the link has one')
    .addOption(forceOption())
    .action((url: string, flags: OpenFlags, command: Command) =>
      run(command, async (ctx) => {
        const link = url === URL_FROM_STDIN ? await readLinkUrl(io, { passwordStdin: flags.passwordStdin === true }) : url;
        await interruptible('Cancelled: nothing was saved.', (signal) => openLinkUrl(ctx, io, link, flags, signal));
      }),
    );
};

import type { Command } from 'commander';
import type { CliContext } from '../../context.js';
import { collectList, printable } from '../../format.js';
import type { CliIo } from '../../io.js';
import { acceptNewKeyOption } from '../../options/acceptNewKeyOption.js';
import { describeTransfer, transferJson } from '../../progress.js';
import type { CommandDefinition } from '../CommandDefinition.js';
import { resumeUpload } from './resumeUpload.js';
import { sendFileJournaled } from './sendFileJournaled.js';
import type { UploadFlags } from './UploadFlags.js';

/** `coffer upload FILE`: encrypt here and send (journaled), or finish an interrupted upload with --resume. */
export const upload: CommandDefinition = (parent, { run, io }) => {
  parent
    .command('upload')
    .description('encrypt a file here and upload it, optionally sharing it; --resume finishes an interrupted upload of it')
    .argument('<file>', 'the file to upload')
    .option('--share <recipients>', 'share with these users and groups (alice, g:GROUPID; comma-separated or repeated), as viewers', collectList)
    .option('--name <name>', 'the name to store (default: the file name)')
    .option('--parent <folderId>', 'upload into this folder (you need editor on it)')
    .addOption(acceptNewKeyOption())
    .option('--resume', 'finish the interrupted upload of FILE: send only the parts the server lacks (the file must be unchanged)')
    .action((file: string, flags: UploadFlags, command: Command) => run(command, (ctx) => uploadFile(ctx, io, file, flags)));
};

/** Encrypt and send (journaled), with the throughput at the end. */
async function uploadFile(ctx: CliContext, io: CliIo, file: string, flags: UploadFlags): Promise<void> {
  ctx.requireSession();
  if (flags.resume) return resumeUpload(ctx, io, file, flags);
  let name = '';
  const { result, stats } = await sendFileJournaled(ctx, io, file, (sending) => {
    name = flags.name ?? sending.name;
    return ctx.client.upload(sending.stream, {
      name,
      size: sending.size,
      shareWith: flags.share ?? [],
      ...(flags.parent ? { parent: flags.parent } : {}),
      acceptNewKeyFor: flags.acceptNewKey ?? [],
      onProgress: sending.onProgress,
      journal: sending.journal,
      signal: sending.signal,
    });
  });
  ctx.output.result({ ...result, ...transferJson(stats) }, () => {
    const shared = result.sharedWith.length ? `; shared with ${result.sharedWith.join(', ')}` : '';
    return `Uploaded ${printable(name)} as ${result.documentId}${shared}: ${describeTransfer(stats)}.`;
  });
}

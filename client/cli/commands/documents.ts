import { stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import { CofferError } from '../../../shared/core/errors/index.js';
import { saveStreamToFile } from '../../sdk/node/saveStream.js';
import { safeFileName } from '../../sdk/safeFileName.js';
import type { DocumentEntry } from '../../sdk/listDocuments.js';
import type { CliIo } from '../io.js';
import { collectList, formatBytes, printable, table } from '../format.js';
import { describeTiming, progressBar, transferJson, type Progress, type TransferStats } from '../progress.js';
import type { CliContext } from '../context.js';
import { listFolderCommand } from './folders.js';
import { uploadCommand, type UploadFlags } from './upload.js';
import type { Runner } from './Runner.js';
import { versionArgument } from '../versionArgument.js';

const ACCEPT_HELP = 'accept the changed public key of USER (check its fingerprint with them first); repeatable';

export function documentCommands(program: Command, run: Runner, io: CliIo): void {
  program
    .command('upload')
    .description('encrypt a file here and upload it, optionally sharing it; --resume finishes an interrupted upload of it')
    .argument('<file>', 'the file to upload')
    .option('--share <users>', 'share with these users (comma-separated or repeated)', collectList)
    .option('--name <name>', 'the name to store (default: the file name)')
    .option('--parent <folderId>', 'upload into this folder (you need editor on it)')
    .option('--accept-new-key <user>', ACCEPT_HELP, collectList)
    .option('--resume', 'finish the interrupted upload of FILE: send only the parts the server lacks (the file must be unchanged)')
    .action((file: string, flags: UploadFlags, command: Command) => run(command, (ctx) => uploadCommand(ctx, io, file, flags)));

  program
    .command('ls')
    .description('list the documents and folders shared with you or yours, or the contents of FOLDER, with their decrypted names')
    .argument('[folder]', 'a folder id: list what is in it')
    .action((folder: string | undefined, _flags: unknown, command: Command) =>
      run(command, async (ctx) => {
        ctx.requireSession();
        if (folder) return listFolderCommand(ctx, folder);
        const documents: DocumentEntry[] = [];
        for await (const doc of ctx.client.listAll()) documents.push(doc);
        ctx.output.result({ documents }, () => {
          if (documents.length === 0) return 'No documents yet: `coffer upload FILE`.';
          return table(
            ['ID', 'KIND', 'SIZE', 'OWNER', 'ROLE', 'CREATED', 'NAME'],
            documents.map((d) => [
              d.documentId,
              d.kind,
              d.kind === 'folder' ? '-' : formatBytes(d.size),
              d.ownerId,
              d.role,
              d.createdAt.slice(0, 16).replace('T', ' '),
              d.name === undefined ? `<unreadable: ${d.nameError ?? 'DECRYPTION_FAILED'}>` : printable(d.name),
            ]),
          );
        });
      }),
    );

  program
    .command('download')
    .description('download and decrypt a document (saved under its original name, sanitised, unless -o)')
    .argument('<id>', 'document id (see `coffer ls`)')
    .option('-o, --output <path>', 'where to save it (a directory keeps the document name)')
    .option('--version <n>', 'an older version (see `coffer versions ID`) instead of the current one', versionArgument)
    .option('--range <start-end>', 'only plaintext bytes START to END (END exclusive; START- for the rest), fetching just the chunks that hold them', rangeOption)
    .option('--force', 'replace an existing file')
    .action((id: string, flags: DownloadFlags, command: Command) =>
      run(command, async (ctx) => {
        ctx.requireSession();
        // Ctrl-C stops the transfer and removes the partial file instead of leaving it behind.
        const interrupted = new AbortController();
        const onSigint = () => interrupted.abort(new CofferError('CANCELLED', 'Cancelled: nothing was saved.'));
        process.once('SIGINT', onSigint);
        try {
          await downloadTo(ctx, io, id, flags, interrupted.signal);
        } finally {
          process.removeListener('SIGINT', onSigint);
        }
      }),
    );

  program
    .command('rm')
    .description('delete a document you own, for everyone')
    .argument('<id>', 'document id')
    .action((id: string, _flags: unknown, command: Command) =>
      run(command, async (ctx) => {
        ctx.requireSession();
        await ctx.client.remove(id);
        ctx.output.result({ documentId: id, deleted: true }, () => `Deleted ${id}.`);
      }),
    );
}

type DownloadFlags = { output?: string; force?: boolean; version?: number; range?: { start: number; end?: number } };

async function downloadTo(ctx: CliContext, io: CliIo, id: string, flags: DownloadFlags, signal: AbortSignal): Promise<void> {
  let bar: Progress | undefined;
  const doc = await ctx.client.download(id, {
    onProgress: ({ bytes }) => bar?.update(bytes),
    signal,
    ...(flags.version !== undefined ? { version: flags.version } : {}),
    ...(flags.range ? { range: flags.range } : {}),
  });
  const safeName = safeFileName(doc.name, `document-${safeFileName(id, 'document')}`);
  const target = await outputPath(flags.output, safeName);
  bar = progressBar(ctx.output, io.stderr, 'download', doc.length);
  let saved;
  let stats: TransferStats;
  try {
    // The temp file is removed on any failure: nothing unverified is left under any name.
    saved = await saveStreamToFile(doc.stream, target, { force: flags.force === true, signal });
  } catch (error) {
    if (error instanceof CofferError && error.code === 'INTEGRITY_MISMATCH') {
      throw new CofferError(
        error.code,
        `Integrity check failed: the stored content of ${id} (version ${doc.version}) is not what its uploader sent ` +
          '(it was replaced, truncated or altered). Nothing was saved; report it to whoever runs the server.',
        error.details,
      );
    }
    throw error;
  } finally {
    stats = bar.stop();
  }
  const renamed = !flags.output && safeName !== doc.name;
  const part = doc.range ? ` (bytes ${doc.range.start}-${doc.range.end} of ${formatBytes(doc.size)})` : '';
  ctx.output.result(
    {
      documentId: id,
      version: doc.version,
      name: doc.name,
      path: saved.path,
      size: saved.bytes,
      ...(doc.range ? { range: doc.range } : {}),
      digestChecked: doc.digestChecked,
      ownerId: doc.ownerId,
      ...transferJson(stats),
    },
    () =>
      [
        `Saved ${formatBytes(saved.bytes)}${part} of version ${doc.version} to ${printable(saved.path)} ${describeTiming(stats)}.`,
        ...(renamed ? [`(The stored name ${JSON.stringify(doc.name)} was made safe for this file system.)`] : []),
      ].join('\n'),
  );
}

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

/** -o DIR keeps the (sanitised) document name; -o FILE is used as given; nothing means ./NAME. */
export async function outputPath(output: string | undefined, safeName: string): Promise<string> {
  if (!output) return resolve(safeName);
  const info = await stat(output).catch(() => undefined);
  return info?.isDirectory() ? join(output, safeName) : resolve(output);
}

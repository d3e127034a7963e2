import { stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { CofferError } from '../../../shared/core/errors/index.js';
import { openFile } from '../../sdk/node/fileSource.js';
import { FileUploadJournal } from '../../sdk/node/FileUploadJournal.js';
import type { SourceIdentity, UploadJournalEntry } from '../../sdk/uploadJournal.js';
import type { CliContext } from '../context.js';
import { printable } from '../format.js';
import type { CliIo } from '../io.js';
import { describeTransfer, progressBar, transferJson, type TransferStats } from '../progress.js';
import type { JournalOptions, TransferProgress } from '../../sdk/upload.js';

export interface UploadFlags {
  share?: string[];
  name?: string;
  parent?: string;
  acceptNewKey?: string[];
  resume?: boolean;
}

/** Where `coffer upload` keeps resume journals: `<profile>/uploads` (docs/versions.md, "Resume"). */
export function uploadJournal(ctx: CliContext): FileUploadJournal {
  return new FileUploadJournal(join(ctx.home, 'uploads'));
}

/** What a journaled send is given: the file's stream and size, its journal, progress and Ctrl-C. */
export interface JournaledSend {
  stream: ReadableStream<Uint8Array>;
  size: number;
  name: string;
  journal: JournalOptions;
  onProgress: (progress: TransferProgress) => void;
  signal: AbortSignal;
}

/**
 * Sends a file with a resume journal, a progress bar and Ctrl-C handling (`coffer upload`, `coffer
 * update`). Interrupted (Ctrl-C, a network failure), it says how to resume: `coffer upload --resume
 * FILE` sends only what the server lacks.
 */
export async function sendFileJournaled<T>(
  ctx: CliContext,
  io: CliIo,
  file: string,
  send: (sending: JournaledSend) => Promise<T>,
): Promise<{ result: T; stats: TransferStats }> {
  const identity = await identify(file);
  const source = await openFile(file);
  const journal = uploadJournal(ctx);
  const bar = progressBar(ctx.output, io.stderr, 'upload  ', source.size);
  let result: T;
  try {
    result = await interruptible((signal) =>
      send({
        stream: source.stream,
        size: source.size,
        name: source.name,
        journal: { store: journal, source: identity },
        onProgress: ({ bytes }) => bar.update(bytes),
        signal,
      }),
    );
  } catch (error) {
    bar.stop();
    if (await pendingFor(ctx, journal, identity.path)) ctx.output.note(`The upload can be resumed: coffer upload --resume ${shellQuote(file)}`);
    throw error;
  }
  return { result, stats: bar.stop() };
}

/** `coffer upload FILE`: encrypt and send (journaled), with the throughput at the end. */
export async function uploadCommand(ctx: CliContext, io: CliIo, file: string, flags: UploadFlags): Promise<void> {
  ctx.requireSession();
  if (flags.resume) return resumeCommand(ctx, io, file, flags);
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

async function resumeCommand(ctx: CliContext, io: CliIo, file: string, flags: UploadFlags): Promise<void> {
  if (flags.share?.length || flags.name !== undefined || flags.parent !== undefined || flags.acceptNewKey?.length) {
    throw new CofferError('USAGE', '--resume takes only the file: the name, folder and recipients are those of the interrupted upload.');
  }
  const journal = uploadJournal(ctx);
  const identity = await identify(file);
  const entry = await pendingFor(ctx, journal, identity.path);
  if (!entry) {
    throw new CofferError('UPLOAD_NOT_FOUND', `No interrupted upload of ${printable(file)} to resume here: upload it with \`coffer upload ${shellQuote(file)}\`.`);
  }
  const source = await openFile(file);
  const bar = progressBar(ctx.output, io.stderr, 'resume  ', source.size);
  let result;
  try {
    result = await interruptible((signal) =>
      ctx.client.resumeUpload(entry, { stream: source.stream, size: source.size, identity }, { journal, onProgress: ({ bytes }) => bar.update(bytes), signal }),
    );
  } catch (error) {
    bar.stop();
    throw error;
  }
  const stats = bar.stop();
  ctx.output.result({ ...result, ...transferJson(stats) }, () => {
    const kept = result.partsKept > 0 ? ` (${result.partsKept} of ${result.partsKept + result.partsSent} parts were already stored)` : '';
    return `Resumed and completed ${result.documentId} version ${result.version}${kept}: ${describeTransfer(stats)}.`;
  });
}

/** The newest journal entry of this user on this server for the file at `path`. */
async function pendingFor(ctx: CliContext, journal: FileUploadJournal, path: string): Promise<UploadJournalEntry | undefined> {
  const session = ctx.requireSession();
  const mine = (await journal.list()).filter((e) => e.source?.path === path && e.userId === session.userId && e.serverUrl === ctx.serverUrl);
  return mine.sort((a, b) => b.createdAt.localeCompare(a.createdAt))[0];
}

async function identify(file: string): Promise<SourceIdentity> {
  const path = resolve(file);
  const info = await stat(path).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') throw new CofferError('FILE_NOT_FOUND', `${printable(file)} does not exist.`);
    throw error;
  });
  if (!info.isFile()) throw new CofferError('NOT_A_FILE', `${printable(file)} is not a regular file.`);
  return { path, size: info.size, mtimeMs: info.mtimeMs };
}

/** Ctrl-C aborts the transfer (the journal stays, so it can be resumed) instead of killing the process mid-write. */
async function interruptible<T>(work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const interrupted = new AbortController();
  const onSigint = () => interrupted.abort(new CofferError('CANCELLED', 'Cancelled.'));
  process.once('SIGINT', onSigint);
  try {
    return await work(interrupted.signal);
  } finally {
    process.removeListener('SIGINT', onSigint);
  }
}

function shellQuote(text: string): string {
  return /^[A-Za-z0-9_./:@%+=,-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
}

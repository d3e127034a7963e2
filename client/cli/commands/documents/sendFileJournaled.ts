import { openFile } from '../../../sdk/node/fileSource.js';
import type { JournalOptions, TransferProgress } from '../../../sdk/upload.js';
import type { CliContext } from '../../context.js';
import type { CliIo } from '../../io.js';
import { interruptible } from '../../interruptible.js';
import { progressBar, type TransferStats } from '../../progress.js';
import { shellQuote } from '../../shellQuote.js';
import { fileIdentity } from './fileIdentity.js';
import { pendingUpload, uploadJournal } from './uploadJournal.js';

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
  const identity = await fileIdentity(file);
  const source = await openFile(file);
  const journal = uploadJournal(ctx);
  const bar = progressBar(ctx.output, io.stderr, 'upload  ', source.size);
  let result: T;
  try {
    result = await interruptible('Cancelled.', (signal) =>
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
    if (await pendingUpload(ctx, journal, identity.path)) ctx.output.note(`The upload can be resumed: coffer upload --resume ${shellQuote(file)}`);
    throw error;
  }
  return { result, stats: bar.stop() };
}

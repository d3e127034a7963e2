import { CofferError } from '../../../../shared/core/errors/index.js';
import { openFile } from '../../../sdk/node/fileSource.js';
import type { CliContext } from '../../context.js';
import { printable } from '../../format.js';
import type { CliIo } from '../../io.js';
import { interruptible } from '../../interruptible.js';
import { describeTransfer, progressBar, transferJson } from '../../progress.js';
import { shellQuote } from '../../shellQuote.js';
import { fileIdentity } from './fileIdentity.js';
import type { UploadFlags } from './UploadFlags.js';
import { pendingUpload, uploadJournal } from './uploadJournal.js';

/** `coffer upload --resume FILE`: send only the parts of the interrupted upload the server lacks. */
export async function resumeUpload(ctx: CliContext, io: CliIo, file: string, flags: UploadFlags): Promise<void> {
  if (flags.share?.length || flags.name !== undefined || flags.parent !== undefined || flags.acceptNewKey?.length) {
    throw new CofferError('USAGE', '--resume takes only the file: the name, folder and recipients are those of the interrupted upload.');
  }
  const journal = uploadJournal(ctx);
  const identity = await fileIdentity(file);
  const entry = await pendingUpload(ctx, journal, identity.path);
  if (!entry) {
    throw new CofferError('UPLOAD_NOT_FOUND', `No interrupted upload of ${printable(file)} to resume here: upload it with \`coffer upload ${shellQuote(file)}\`.`);
  }
  const source = await openFile(file);
  const bar = progressBar(ctx.output, io.stderr, 'resume  ', source.size);
  let result;
  try {
    result = await interruptible('Cancelled.', (signal) =>
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

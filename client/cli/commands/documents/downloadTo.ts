import { CofferError } from '../../../../shared/core/errors/index.js';
import { saveStreamToFile } from '../../../sdk/node/saveStream.js';
import { safeFileName } from '../../../sdk/safeFileName.js';
import type { CliContext } from '../../context.js';
import { formatBytes, printable } from '../../format.js';
import type { CliIo } from '../../io.js';
import { outputPath } from '../../outputPath.js';
import { describeTiming, progressBar, transferJson, type Progress, type TransferStats } from '../../progress.js';

/** The options of `coffer download`. */
export type DownloadFlags = { output?: string; force?: boolean; version?: number; range?: { start: number; end?: number } };

/** Downloads, decrypts and saves a document (or a range of it), verified before it gets its name. */
export async function downloadTo(ctx: CliContext, io: CliIo, id: string, flags: DownloadFlags, signal: AbortSignal): Promise<void> {
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

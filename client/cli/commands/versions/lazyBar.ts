import type { TransferProgress } from '../../../sdk/upload.js';
import type { CliIo } from '../../io.js';
import type { Output } from '../../Output.js';
import { progressBar, type Progress } from '../../progress.js';

/** A progress bar started at the first report, when the size is known (restore and rotate learn it from the download). */
export function lazyBar(output: Output, io: CliIo, label: string): { update: (p: TransferProgress) => void; stop: () => void } {
  let bar: Progress | undefined;
  return {
    update: ({ bytes, total }) => {
      bar ??= progressBar(output, io.stderr, label, total);
      bar.update(bytes);
    },
    stop: () => bar?.stop(),
  };
}

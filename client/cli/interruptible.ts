import { CofferError } from '../../shared/core/errors/index.js';

/**
 * Ctrl-C aborts the work through its signal (with CANCELLED and `message`) instead of killing the
 * process mid-write: a download removes its partial file, an upload keeps its resume journal.
 */
export async function interruptible<T>(message: string, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const interrupted = new AbortController();
  const onSigint = () => interrupted.abort(new CofferError('CANCELLED', message));
  process.once('SIGINT', onSigint);
  try {
    return await work(interrupted.signal);
  } finally {
    process.removeListener('SIGINT', onSigint);
  }
}

import { randomBytes } from 'node:crypto';
import { link, open, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { CofferError } from '../../../shared/core/errors/index.js';
import { youngGarbageCollector } from './collectYoungGarbage.js';

export class FileExistsError extends CofferError {
  readonly path: string;

  constructor(path: string) {
    super('FILE_EXISTS', `${path} already exists.`, { path });
    this.path = path;
  }
}

export interface SaveOptions {
  /** Replace an existing file (default: refuse). */
  force?: boolean;
  /** Mode of the new file (default 0600: it is decrypted confidential content). */
  mode?: number;
  /** Aborting stops the download and removes the temp file (Ctrl-C). */
  signal?: AbortSignal;
}

/**
 * Writes a stream to `target` through a temp file in the same directory, and puts it in
 * place only after the stream ended without error: a download that fails authentication
 * or is cut off leaves nothing behind, and never a partial file under the real name.
 * Without `force` the final step is a hard link, which fails atomically if the target
 * appeared meanwhile. Where gc is exposed, writing paces minor GCs (youngGarbageCollector).
 */
export async function saveStreamToFile(
  stream: ReadableStream<Uint8Array>,
  target: string,
  options: SaveOptions = {},
): Promise<{ path: string; bytes: number }> {
  if (!options.force && (await exists(target))) {
    await stream.cancel().catch(() => undefined);
    throw new FileExistsError(target);
  }
  const tmp = join(dirname(target), `.${basename(target)}.${randomBytes(6).toString('hex')}.coffer-partial`);
  const handle = await open(tmp, 'wx', options.mode ?? 0o600);
  let bytes = 0;
  const collect = youngGarbageCollector();
  const reader = stream.getReader();
  const onAbort = () => void reader.cancel(options.signal?.reason).catch(() => undefined);
  options.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    options.signal?.throwIfAborted();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      await handle.write(value);
      bytes += value.byteLength;
      collect(value.byteLength);
    }
    // A cancelled reader ends like a finished one: never put an aborted download in place.
    options.signal?.throwIfAborted();
    await handle.sync();
    await handle.close();
    await place(tmp, target, options.force ?? false);
    return { path: target, bytes };
  } catch (error) {
    await handle.close().catch(() => undefined);
    await rm(tmp, { force: true });
    throw error;
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
  }
}

async function place(tmp: string, target: string, force: boolean): Promise<void> {
  if (force) return rename(tmp, target);
  try {
    await link(tmp, target);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') throw new FileExistsError(target);
    // File systems without hard links: check, then rename (a small race, but no silent overwrite in practice).
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP' && code !== 'ENOSYS') throw error;
    if (await exists(target)) throw new FileExistsError(target);
    await rename(tmp, target);
    return;
  }
  await rm(tmp, { force: true });
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
}

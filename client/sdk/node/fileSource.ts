import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { Readable } from 'node:stream';
import { CofferError } from '../../../shared/errors/index.js';

/** Reads at 1 MiB, the envelope's chunk size. */
const READ_CHUNK = 1024 * 1024;

/** A file as a WHATWG byte stream plus its size and name, read lazily (constant memory). */
export async function openFile(path: string): Promise<{ stream: ReadableStream<Uint8Array>; size: number; name: string }> {
  const info = await stat(path);
  if (!info.isFile()) throw new CofferError('NOT_A_FILE', `${path} is not a regular file.`);
  const stream = Readable.toWeb(createReadStream(path, { highWaterMark: READ_CHUNK })) as ReadableStream<Uint8Array>;
  return { stream, size: info.size, name: basename(path) };
}

import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { CofferError } from '../../../../shared/core/errors/index.js';
import type { SourceIdentity } from '../../../sdk/uploadJournal.js';
import { printable } from '../../format.js';

/** What a resume journal knows a file by (absolute path, size, mtime); only a regular file qualifies. */
export async function fileIdentity(file: string): Promise<SourceIdentity> {
  const path = resolve(file);
  const info = await stat(path).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') throw new CofferError('FILE_NOT_FOUND', `${printable(file)} does not exist.`);
    throw error;
  });
  if (!info.isFile()) throw new CofferError('NOT_A_FILE', `${printable(file)} is not a regular file.`);
  return { path, size: info.size, mtimeMs: info.mtimeMs };
}

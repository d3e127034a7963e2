import { stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';

/** -o DIR keeps the (sanitised) document name; -o FILE is used as given; nothing means ./NAME. */
export async function outputPath(output: string | undefined, safeName: string): Promise<string> {
  if (!output) return resolve(safeName);
  const info = await stat(output).catch(() => undefined);
  return info?.isDirectory() ? join(output, safeName) : resolve(output);
}

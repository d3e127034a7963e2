import { CofferError } from '../../shared/core/errors/index.js';
import type { CliIo } from './io.js';
import { promptHidden, readStdinPassphrase } from './passphrase.js';

/** `coffer open -`: the URL argument that means "read it from stdin". */
export const URL_FROM_STDIN = '-';

/**
 * The link URL of `coffer open -`: typed without echo on a terminal, else all of stdin (one
 * trailing newline dropped). Its secret then stays out of shell history and of `ps`, where
 * any local user can read a command line. Stdin carries one secret only, so the password then
 * comes from the prompt or COFFER_LINK_PASSWORD.
 */
export async function readLinkUrl(io: CliIo, options: { passwordStdin: boolean }): Promise<string> {
  if (options.passwordStdin) {
    throw new CofferError('USAGE', 'Stdin carries either the URL (`open -`) or the password (--password-stdin), not both: set COFFER_LINK_PASSWORD for the password.');
  }
  const url = io.stdin.isTTY ? await promptHidden(io, 'Link URL: ') : await readStdinPassphrase(io, 'link URL');
  const trimmed = url.trim();
  if (trimmed.length === 0) throw new CofferError('USAGE', 'No link URL given.');
  return trimmed;
}

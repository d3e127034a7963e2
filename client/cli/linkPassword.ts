import { CofferError } from '../../shared/core/errors/index.js';
import type { CliIo } from './io.js';
import { promptHidden, readStdinPassphrase } from './passphrase.js';
import { requireStrongLinkPassword } from '../sdk/requireStrongLinkPassword.js';

/** Where link passwords come from without a prompt (never a command-line argument: it would show in `ps`). */
export const LINK_PASSWORD_ENV = 'COFFER_LINK_PASSWORD';

/**
 * `link create --password`: COFFER_LINK_PASSWORD, else typed twice on the terminal without
 * echo (a typo would lock everyone out of the link, so a mismatch is refused), else a usage
 * error that says how to give it. A weak one is refused (WEAK_LINK_PASSWORD) before anything else.
 */
export async function newLinkPassword(io: CliIo): Promise<string> {
  const fromEnv = io.env[LINK_PASSWORD_ENV];
  if (fromEnv) {
    await requireStrongLinkPassword(fromEnv);
    return fromEnv;
  }
  if (!io.stdin.isTTY) {
    throw new CofferError('USAGE', `No link password: type it in a terminal, or set ${LINK_PASSWORD_ENV}.`);
  }
  const first = await promptHidden(io, 'Link password: ');
  if (first.length === 0) throw new CofferError('USAGE', 'The link password is empty: nothing was created.');
  await requireStrongLinkPassword(first); // before typing it again
  const second = await promptHidden(io, 'Link password again: ');
  if (first !== second) throw new CofferError('USAGE', 'The two passwords differ: nothing was created. Run the command again.');
  return first;
}

/**
 * `open`: the password, asked for only when the server says the link has one (the SDK calls
 * this function then). --password-stdin, else COFFER_LINK_PASSWORD, else a prompt on a
 * terminal, else a usage error. Read at most once, however often it is asked for.
 */
export function linkPasswordSource(io: CliIo, options: { fromStdin: boolean }): () => Promise<string> {
  let password: Promise<string> | undefined;
  return () => (password ??= obtainLinkPassword(io, options));
}

async function obtainLinkPassword(io: CliIo, options: { fromStdin: boolean }): Promise<string> {
  if (options.fromStdin) return readStdinPassphrase(io, 'link password');
  const fromEnv = io.env[LINK_PASSWORD_ENV];
  if (fromEnv) return fromEnv;
  if (io.stdin.isTTY) {
    const typed = await promptHidden(io, 'This link has a password: ');
    if (typed.length === 0) throw new CofferError('USAGE', 'No link password given.');
    return typed;
  }
  throw new CofferError(
    'USAGE',
    `This link has a password: type it in a terminal, pipe it with --password-stdin, or set ${LINK_PASSWORD_ENV}.`,
  );
}

import { CofferError } from '../../shared/core/errors/index.js';
import type { CliIo } from './io.js';

/** Reads all of stdin and drops one trailing newline (what `echo` or a here-string adds). */
export async function readStdinPassphrase(io: CliIo, what = 'passphrase'): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of io.stdin) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  const text = Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
  if (text.length === 0) throw new CofferError('USAGE', `No ${what} on stdin.`);
  return text;
}

/**
 * The passphrase for login: --passphrase-stdin, else COFFER_PASSPHRASE, else a prompt
 * without echo when stdin is a terminal.
 */
export async function obtainPassphrase(io: CliIo, options: { fromStdin: boolean; prompt: string }): Promise<string> {
  if (options.fromStdin) return readStdinPassphrase(io);
  const fromEnv = io.env.COFFER_PASSPHRASE;
  if (fromEnv) return fromEnv;
  if (io.stdin.isTTY) return promptHidden(io, options.prompt);
  throw new CofferError(
    'USAGE',
    'No passphrase: type it in a terminal, pipe it with --passphrase-stdin, or set COFFER_PASSPHRASE.',
  );
}

/** Prompts on stderr and reads one line from the terminal without echoing it. */
export function promptHidden(io: CliIo, prompt: string): Promise<string> {
  const { stdin, stderr } = io;
  return new Promise((resolve, reject) => {
    let value = '';
    stderr.write(prompt);
    const finish = (error?: Error) => {
      stdin.removeListener('data', onData);
      stdin.setRawMode(false);
      stdin.pause();
      stderr.write('\n');
      if (error) reject(error);
      else resolve(value);
    };
    const onData = (data: Buffer | string) => {
      for (const ch of data.toString()) {
        if (ch === '\r' || ch === '\n' || ch === '\u0004') return finish();
        if (ch === '\u0003') return finish(new CofferError('CANCELLED', 'Cancelled.'));
        if (ch === '\u007f' || ch === '\b') value = [...value].slice(0, -1).join('');
        else if (ch >= ' ') value += ch;
      }
    };
    stdin.setRawMode(true);
    stdin.resume();
    stdin.on('data', onData);
  });
}

import { CofferError } from '../../shared/core/errors/index.js';

/**
 * A view-only link (`access: 'view'`): its creator allowed viewing, not downloading. The CLI
 * honours that by showing the document on a terminal only: no -o, no redirected or piped
 * stdout, no --json. (The crypto cannot enforce it, since whoever views can copy, but
 * the CLI does not make the copy for them.)
 */
export function viewOnlyRefusal(flags: { output?: string | undefined; json: boolean; stdoutIsTTY: boolean }): CofferError | undefined {
  const why = 'This link is view only: its creator did not allow downloads';
  if (flags.output !== undefined) return new CofferError('LINK_VIEW_ONLY', `${why}, so it is not saved to a file. Run \`coffer open\` without -o in a terminal to view it.`);
  if (flags.json) return new CofferError('LINK_VIEW_ONLY', `${why}: it is shown on a terminal only, not with --json.`);
  if (!flags.stdoutIsTTY) return new CofferError('LINK_VIEW_ONLY', `${why}: it is shown on a terminal only, not redirected or piped.`);
  return undefined;
}

/**
 * Escapes what a terminal would interpret (escape sequences, carriage returns, bidi
 * overrides) in text someone else wrote; keeps newlines and tabs.
 */
export function terminalSafe(text: string): string {
  return text.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff]/g, (ch) => {
    const code = ch.codePointAt(0)!;
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}

/** Shows a decrypted document on the terminal as UTF-8 text, escaped chunk by chunk. */
export async function printToTerminal(stream: ReadableStream<Uint8Array>, stdout: { write(text: string): unknown }): Promise<number> {
  const decoder = new TextDecoder('utf-8');
  let bytes = 0;
  let last = '';
  for await (const chunk of stream as unknown as AsyncIterable<Uint8Array>) {
    bytes += chunk.byteLength;
    const text = decoder.decode(chunk, { stream: true });
    if (text) {
      stdout.write(terminalSafe(text));
      last = text;
    }
  }
  const rest = decoder.decode();
  if (rest) {
    stdout.write(terminalSafe(rest));
    last = rest;
  }
  if (last && !last.endsWith('\n')) stdout.write('\n');
  return bytes;
}

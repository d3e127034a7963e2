import { createInterface } from 'node:readline/promises';
import type { CliIo } from './io.js';

/** One line from stdin (a terminal or a pipe), the prompt on stderr. */
export async function promptLine(io: CliIo, prompt: string): Promise<string> {
  const rl = createInterface({ input: io.stdin, output: io.stderr, terminal: io.stdin.isTTY === true });
  try {
    // End of input (a closed pipe) is a "no".
    const closed = new Promise<string>((resolve) => rl.once('close', () => resolve('')));
    return await Promise.race([rl.question(prompt), closed]);
  } catch {
    return '';
  } finally {
    rl.close();
  }
}

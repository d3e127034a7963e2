import type { CliIo } from './io.js';

/**
 * Where results go: with --json one JSON document on stdout (errors too, as
 * `{ "error": { code, message } }`); otherwise text on stdout and notes on stderr.
 */
export class Output {
  constructor(
    readonly json: boolean,
    private readonly io: CliIo,
  ) {}

  /** The command's result: `data` as JSON, or the human text. */
  result(data: unknown, human: () => string): void {
    if (this.json) this.io.stdout.write(`${JSON.stringify(data)}\n`);
    else {
      const text = human();
      if (text) this.io.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
    }
  }

  /** A side remark for people (suppressed with --json). */
  note(text: string): void {
    if (!this.json) this.io.stderr.write(`${text}\n`);
  }

  error(code: string, message: string, details?: Record<string, unknown>): void {
    if (this.json) {
      this.io.stdout.write(`${JSON.stringify({ error: { code, message, ...(details && { details }) } })}\n`);
    } else {
      this.io.stderr.write(`coffer: ${message}\n`);
    }
  }

  /** Progress bars only for a person watching: stderr is a terminal and not --json. */
  get interactive(): boolean {
    return !this.json && this.io.stderr.isTTY === true;
  }
}

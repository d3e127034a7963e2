import { Readable, Writable } from 'node:stream';
import type { CliIo } from '../../../../client/cli/io.js';
import { run } from '../../../../client/cli/program.js';

/** The server URL the in-process CLI is pointed at (fetch is the fake server, stubbed globally). */
export const CLI_SERVER = 'http://127.0.0.1:8787';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
  /** stdout parsed, when the command ran with --json and printed something. */
  json: any;
}

/** Runs the CLI in-process with its own COFFER_HOME. */
export async function coffer(home: string, args: string[], options: { stdin?: string; env?: Record<string, string> } = {}): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const io: CliIo = {
    stdout: { write: (t: string) => (stdout += t) },
    stderr: Object.assign(new Writable({ write: (c, _e, cb) => ((stderr += String(c)), cb()) }), { isTTY: false }),
    stdin: Readable.from(options.stdin === undefined ? [] : [Buffer.from(options.stdin)]) as unknown as NodeJS.ReadStream,
    env: { COFFER_HOME: home, COFFER_URL: CLI_SERVER, ...options.env },
  };
  const code = await run(args, io);
  const json = stdout.trim() && args.includes('--json') ? JSON.parse(stdout) : undefined;
  return { code, stdout, stderr, json };
}

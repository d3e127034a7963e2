import { type CliResult, runCliInProcess } from '../../../helpers/cliRunner.js';

/** The server URL the in-process CLI is pointed at (fetch is the fake server, stubbed globally). */
export const CLI_SERVER = 'http://127.0.0.1:8787';

export interface CliRun extends CliResult {
  /** stdout parsed, when the command ran with --json and printed something. */
  json: any;
}

/** Runs the CLI in-process with its own COFFER_HOME. */
export async function coffer(home: string, args: string[], options: { stdin?: string; env?: Record<string, string> } = {}): Promise<CliRun> {
  const result = await runCliInProcess(args, { COFFER_HOME: home, COFFER_URL: CLI_SERVER, ...options.env }, options.stdin);
  const json = result.stdout.trim() && args.includes('--json') ? JSON.parse(result.stdout) : undefined;
  return { ...result, json };
}

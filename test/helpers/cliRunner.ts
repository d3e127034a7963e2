import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { expect } from 'vitest';
import type { CliIo } from '../../client/cli/io.js';
import { run as runInProcess } from '../../client/cli/program.js';

/** What a CLI run printed and how it ended. */
export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface CliRun {
  /** The profile directory (COFFER_HOME). */
  home: string;
  /** COFFER_URL; omitted: no server configured at all. */
  serverUrl?: string;
  stdin?: string;
  env?: Record<string, string>;
  /** The working directory (default: the repository); only with `spawn`. */
  cwd?: string;
  /**
   * Run the real `node client/cli/bin.js` in a child process (launcher, bundle, exit code, process
   * environment), as the smoke tests do. Default: the same program in-process (`run` from
   * client/cli/program.ts, what bin.js calls), with its own streams and environment.
   */
  spawn?: boolean;
}

const REPO = join(import.meta.dirname, '../..');

/** The CLI's environment for a run: the profile, the server, test KDF allowed, no secrets inherited. */
function cliEnv(run: CliRun): Record<string, string> {
  return {
    COFFER_HOME: run.home,
    COFFER_PASSPHRASE: '',
    COFFER_LINK_PASSWORD: '',
    COFFER_ALLOW_WEAK_KDF: '1',
    ...(run.serverUrl ? { COFFER_URL: run.serverUrl } : {}),
    ...run.env,
  };
}

/** Runs the CLI with test accounts on the test KDF: in-process, or as a child process with `spawn`. */
export function runCli(args: readonly string[], run: CliRun): Promise<CliResult> {
  if (run.spawn || run.cwd) return spawnCli(args, run);
  return runCliInProcess(args, cliEnv(run), run.stdin);
}

/** The CLI's program (`run` from client/cli/program.ts, what bin.js calls) in this process, with its own streams and exactly this environment. */
export async function runCliInProcess(args: readonly string[], env: NodeJS.ProcessEnv, stdin?: string): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const io: CliIo = {
    stdout: { write: (t: string) => (stdout += t), isTTY: false },
    stderr: Object.assign(new Writable({ write: (c, _e, cb) => ((stderr += String(c)), cb()) }), { isTTY: false }),
    stdin: Readable.from(stdin ? [Buffer.from(stdin)] : []) as unknown as NodeJS.ReadStream,
    env,
  };
  const code = await runInProcess(args, io);
  return { code, stdout, stderr };
}

function spawnCli(args: readonly string[], run: CliRun): Promise<CliResult> {
  const env: Record<string, string | undefined> = { ...process.env, ...cliEnv(run) };
  if (!run.serverUrl) delete env.COFFER_URL;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(REPO, 'client/cli/bin.js'), ...args], {
      cwd: run.cwd ?? REPO,
      env,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d));
    child.stderr.on('data', (d: Buffer) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
    child.stdin.end(run.stdin ?? '');
  });
}

/** The run succeeded (exit 0); shows its output otherwise. */
export function succeeded(result: CliResult): CliResult {
  expect(result.code, `${result.stdout}\n${result.stderr}`).toBe(0);
  return result;
}

/** The `--json` document a run printed. */
export function jsonOf(result: CliResult): any {
  expect(result.stdout, result.stderr).not.toBe('');
  return JSON.parse(result.stdout);
}

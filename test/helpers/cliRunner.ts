import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { expect } from 'vitest';

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
  /** The working directory (default: the repository). */
  cwd?: string;
}

const REPO = join(import.meta.dirname, '../..');

/** Runs the real CLI (`node client/cli/bin.js`) in a child process; test accounts use the test KDF. */
export function runCli(args: readonly string[], run: CliRun): Promise<CliResult> {
  const env: Record<string, string | undefined> = {
    ...process.env,
    COFFER_HOME: run.home,
    COFFER_PASSPHRASE: '',
    COFFER_LINK_PASSWORD: '',
    COFFER_ALLOW_WEAK_KDF: '1',
    ...(run.serverUrl ? { COFFER_URL: run.serverUrl } : {}),
    ...run.env,
  };
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

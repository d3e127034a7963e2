import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

/** .ci/summary.mjs: the closing line CI is judged by, from vitest's JSON report. */
const REPO = join(import.meta.dirname, '../../..');
const file = (name: string, status: string, tests: [string, string][], message = '') => ({
  name: join(REPO, name),
  status,
  message,
  assertionResults: tests.map(([fullName, s]) => ({ fullName, status: s })),
});

function summarise(files: unknown[], vitestStatus = 0): { line: string; stderr: string; code: number | null } {
  const path = join(mkdtempSync(join(tmpdir(), 'coffer-summary-')), 'results.json');
  writeFileSync(path, JSON.stringify({ testResults: files }));
  const run = spawnSync(process.execPath, ['.ci/summary.mjs', path, String(vitestStatus)], { cwd: REPO, encoding: 'utf8' });
  return { line: run.stdout.trim(), stderr: run.stderr, code: run.status };
}

describe('.ci/summary.mjs', () => {
  it('counts passed and failed tests', () => {
    const out = summarise([file('test/unit/a.test.ts', 'failed', [['a ok', 'passed'], ['a bad', 'failed']]), file('test/unit/b.test.ts', 'passed', [['b', 'passed']])], 1);
    expect([out.line, out.code]).toEqual(['2 passed, 1 failed', 1]);
  });

  it('fails a skipped test that test/declaredSkips.json does not declare, naming it (a timed-out hook shows up so)', () => {
    const out = summarise([file('test/unit/a.test.ts', 'passed', [['a ok', 'passed'], ['a later', 'skipped'], ['a todo', 'todo']])]);
    expect([out.line, out.code]).toEqual(['1 passed, 2 failed', 1]);
    expect(out.stderr).toContain('test/unit/a.test.ts > a later: skipped, and not declared in test/declaredSkips.json');
  });

  it('fails a file that failed without a failed test (it did not load, or a hook threw)', () => {
    const out = summarise([file('test/unit/a.test.ts', 'failed', [], 'Hook timed out in 30000ms')], 1);
    expect([out.line, out.code]).toEqual(['0 passed, 1 failed', 1]);
    expect(out.stderr).toContain('test/unit/a.test.ts: the file failed without a failed test: Hook timed out in 30000ms');
  });

  it('fails a run whose vitest exit status was not 0 although every test passed (unhandled errors)', () => {
    expect(summarise([file('test/unit/a.test.ts', 'passed', [['a', 'passed']])], 1)).toMatchObject({ line: '1 passed, 1 failed', code: 1 });
  });

  it('passes a clean run with exit 0', () => {
    expect(summarise([file('test/unit/a.test.ts', 'passed', [['a', 'passed']])])).toMatchObject({ line: '1 passed, 0 failed', code: 0 });
  });
});

// Reads vitest's JSON report and prints the one closing line "N passed, N failed" (exit 1 when
// anything failed). Counted as failed, besides failed tests: a file that failed without a failed
// test (it did not load, a hook failed or timed out, an afterAll threw), a test that was skipped
// without being declared in test/declaredSkips.json (a hook overrun can show up as "skipped"), and
// a run whose vitest exit status was not 0 (unhandled errors).
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';

const [resultsPath, vitestStatus] = process.argv.slice(2);
const report = JSON.parse(readFileSync(resultsPath, 'utf8'));
const declared = JSON.parse(readFileSync('test/declaredSkips.json', 'utf8'));

const problems = [];
let passed = 0;
let failed = 0;
for (const file of report.testResults ?? []) {
  const name = relative(process.cwd(), file.name);
  const tests = file.assertionResults ?? [];
  passed += tests.filter((t) => t.status === 'passed').length;
  const failedHere = tests.filter((t) => t.status === 'failed').length;
  failed += failedHere;
  if (file.status === 'failed' && failedHere === 0) {
    failed++;
    problems.push(`${name}: the file failed without a failed test: ${(file.message ?? '').split('\n')[0]}`);
  }
  for (const t of tests.filter((x) => x.status !== 'passed' && x.status !== 'failed')) {
    const key = `${name} > ${t.fullName}`;
    if (declared[key]) continue;
    failed++;
    problems.push(`${key}: ${t.status}, and not declared in test/declaredSkips.json`);
  }
}
if (Number(vitestStatus) !== 0 && failed === 0) {
  failed++;
  problems.push(`vitest exited with status ${vitestStatus} (unhandled errors?)`);
}
for (const p of problems) console.error(`FAIL ${p}`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);

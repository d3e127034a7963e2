import { writeFileSync } from 'node:fs';
import { relative } from 'node:path';
import type { Reporter, TestModule } from 'vitest/node';

type HookEvent = Parameters<NonNullable<Reporter['onHookStart']>>[0];

/**
 * A vitest reporter for keeping the suite fast: at the end it prints the slowest files (wall time
 * from start to end, with their tests and hooks) and the slowest beforeAll/afterAll hooks, and
 * writes them all to `.vitest-times.json`. `.ci/run` uses it; locally:
 * `npx vitest run --reporter=default --reporter=./test/helpers/slowestReporter.ts`.
 */
export default class SlowestReporter implements Reporter {
  private readonly started = new Map<string, number>();
  private readonly files: { file: string; seconds: number; testsAndHooks: number; tests: number }[] = [];
  private readonly hookStarts = new Map<string, number>();
  private readonly hooks: { hook: string; seconds: number }[] = [];

  onTestModuleStart(module: TestModule): void {
    this.started.set(module.moduleId, Date.now());
  }

  onTestModuleEnd(module: TestModule): void {
    const start = this.started.get(module.moduleId) ?? Date.now();
    this.files.push({
      file: relative(process.cwd(), module.moduleId),
      seconds: (Date.now() - start) / 1000,
      testsAndHooks: module.diagnostic().duration / 1000,
      tests: [...module.children.allTests()].length,
    });
  }

  onHookStart(hook: HookEvent): void {
    if (hook.name === 'beforeAll' || hook.name === 'afterAll') this.hookStarts.set(this.hookKey(hook), Date.now());
  }

  onHookEnd(hook: HookEvent): void {
    const start = this.hookStarts.get(this.hookKey(hook));
    if (start !== undefined) this.hooks.push({ hook: this.hookKey(hook), seconds: (Date.now() - start) / 1000 });
  }

  onTestRunEnd(): void {
    const files = [...this.files].sort((a, b) => b.seconds - a.seconds);
    const hooks = [...this.hooks].sort((a, b) => b.seconds - a.seconds);
    writeFileSync('.vitest-times.json', `${JSON.stringify({ files, hooks }, null, 1)}\n`);
    const lines = ['Slowest files (wall s, tests):', ...files.slice(0, 10).map((f) => `  ${f.seconds.toFixed(1).padStart(6)}  ${String(f.tests).padStart(5)}  ${f.file}`)];
    lines.push('Slowest beforeAll/afterAll (s):', ...hooks.slice(0, 5).map((h) => `  ${h.seconds.toFixed(1).padStart(6)}  ${h.hook}`));
    process.stderr.write(`${lines.join('\n')}\n`);
  }

  private hookKey(hook: HookEvent): string {
    const entity = hook.entity;
    const where = entity.type === 'module' ? relative(process.cwd(), entity.moduleId) : `${relative(process.cwd(), entity.module.moduleId)} > ${entity.fullName}`;
    return `${hook.name} ${where}`;
  }
}

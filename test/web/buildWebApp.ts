import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'vite';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The web app built once for the run (the local stack serves it with `webRoot`). */
    webRoot: string;
  }
}

/**
 * globalSetup of the browser tests: one `vite build` of client/web for the whole run, into a
 * temporary directory (never the dist/web that `npm start` serves), removed when the run ends.
 */
export default async function buildWebApp(project: TestProject): Promise<() => Promise<void>> {
  const outDir = await mkdtemp(join(tmpdir(), 'coffer-web-'));
  await build({ configFile: join(import.meta.dirname, '../../client/web/vite.config.ts'), logLevel: 'error', build: { outDir, emptyOutDir: true } });
  project.provide('webRoot', outDir);
  return () => rm(outDir, { recursive: true, force: true });
}

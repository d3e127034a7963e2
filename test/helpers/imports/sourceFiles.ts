import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';

/** A project source file: its path from the repository root (always with `/`) and its text. */
export interface SourceFile {
  path: string;
  text: string;
}

export const REPO_ROOT = join(import.meta.dirname, '../../..');

/** Every .ts and .js file under `roots` (folders of the repository), declaration files and build output left out. */
export function sourceFiles(roots: readonly string[]): SourceFile[] {
  const files: SourceFile[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (entry.name !== 'node_modules' && entry.name !== 'cdk.out') walk(full);
      } else if (/\.(ts|js)$/.test(entry.name) && !entry.name.endsWith('.d.ts')) {
        files.push({ path: relative(REPO_ROOT, full).split(sep).join('/'), text: readFileSync(full, 'utf8') });
      }
    }
  };
  for (const root of roots) walk(join(REPO_ROOT, root));
  return files.sort((a, b) => a.path.localeCompare(b.path));
}

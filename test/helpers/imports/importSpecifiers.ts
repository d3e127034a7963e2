import { posix } from 'node:path';
import ts from 'typescript';
import type { SourceFile } from './sourceFiles.js';

/** One module a file names: in `import`/`export ... from`, `import type`, a side-effect import, `import()` or `require()`. */
export interface ImportOf {
  specifier: string;
  /** For a relative specifier, the path it names from the repository root, as written (`shared/core/api/routes.js`). */
  target?: string;
}

/**
 * The modules a file imports. The TypeScript scanner finds them (type-only imports included),
 * so specifiers inside comments and strings are not mistaken for imports.
 */
export function importsOf(file: SourceFile): ImportOf[] {
  return ts.preProcessFile(file.text, true, true).importedFiles.map(({ fileName: specifier }) =>
    specifier.startsWith('.') ? { specifier, target: posix.normalize(posix.join(posix.dirname(file.path), specifier)) } : { specifier },
  );
}

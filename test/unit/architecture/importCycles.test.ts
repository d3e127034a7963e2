import { describe, expect, it } from 'vitest';
import { importCycles, importGraph } from '../../helpers/imports/importCycles.js';
import { sourceFiles } from '../../helpers/imports/sourceFiles.js';

/** No module of the project imports itself back, even through type-only imports (docs/design.md, "Layout"). */
describe('import cycles', () => {
  it('there is none in shared, functions, infra and client', () => {
    const graph = importGraph(sourceFiles(['shared', 'functions', 'infra', 'client']));
    expect(graph.size).toBeGreaterThan(300);
    expect(importCycles(graph)).toEqual([]);
  });

  it('names one closed path per circle, type-only imports and self-imports included', () => {
    const files = [
      { path: 'shared/a.ts', text: "import { b } from './b.js';\nimport { c } from './c/index.js';\n" },
      { path: 'shared/b.ts', text: "import type { A } from './a.js';\n" },
      { path: 'shared/c/index.ts', text: "export { d } from '../d.js';\n" },
      { path: 'shared/d.ts', text: "const e = await import('./e.js');\n" },
      { path: 'shared/e.ts', text: "import './e.js';\n// import './d.js';\n" },
      { path: 'shared/f.ts', text: "import { a } from './a.js';\nimport { z } from 'zod';\n" },
    ];
    expect(importCycles(importGraph(files))).toEqual(['shared/a.ts -> shared/b.ts -> shared/a.ts', 'shared/e.ts -> shared/e.ts']);
    files[4]!.text = "import { c } from './c';\n";
    expect(importCycles(importGraph(files))).toEqual(['shared/a.ts -> shared/b.ts -> shared/a.ts', 'shared/c/index.ts -> shared/d.ts -> shared/e.ts -> shared/c/index.ts']);
  });
});

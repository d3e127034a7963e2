import { importsOf } from './importSpecifiers.js';
import type { SourceFile } from './sourceFiles.js';

/** Who imports whom: each file's relative imports that resolve to another file of the set. */
export function importGraph(files: readonly SourceFile[]): Map<string, string[]> {
  const known = new Set(files.map((f) => f.path));
  // `./x.js` names x.ts under NodeNext; a folder names its index.ts.
  const resolve = (target: string) => [target, target.replace(/\.js$/, '.ts'), `${target}.ts`, `${target}/index.ts`].find((p) => known.has(p));
  const graph = new Map<string, string[]>();
  for (const file of files) {
    const edges = importsOf(file).flatMap(({ target }) => (target === undefined ? [] : [resolve(target)].filter((p): p is string => p !== undefined)));
    graph.set(file.path, [...new Set(edges)]);
  }
  return graph;
}

/**
 * The import circles of a graph: one per strongly connected component (Tarjan), each given as
 * one closed path through it (`a.ts -> b.ts -> a.ts`), starting at its first file by name.
 */
export function importCycles(graph: ReadonlyMap<string, readonly string[]>): string[] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const components: string[][] = [];
  const visit = (v: string) => {
    index.set(v, index.size);
    low.set(v, index.get(v)!);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v)!, index.get(w)!));
      }
    }
    if (low.get(v) !== index.get(v)) return;
    const component: string[] = [];
    let w: string;
    do {
      w = stack.pop()!;
      onStack.delete(w);
      component.push(w);
    } while (w !== v);
    if (component.length > 1 || (graph.get(v) ?? []).includes(v)) components.push(component.sort());
  };
  for (const v of [...graph.keys()].sort()) if (!index.has(v)) visit(v);
  return components.sort((a, b) => a[0]!.localeCompare(b[0]!)).map((component) => closedPath(graph, new Set(component), component[0]!).join(' -> '));
}

/** A shortest path from `start` back to itself inside one component (breadth first). */
function closedPath(graph: ReadonlyMap<string, readonly string[]>, component: ReadonlySet<string>, start: string): string[] {
  const cameFrom = new Map<string, string>();
  const queue = [start];
  while (queue.length > 0) {
    const v = queue.shift()!;
    for (const w of graph.get(v) ?? []) {
      if (!component.has(w)) continue;
      if (w === start) {
        const path = [start];
        for (let u = v; u !== start; u = cameFrom.get(u)!) path.unshift(u);
        path.unshift(start);
        return path;
      }
      if (!cameFrom.has(w)) {
        cameFrom.set(w, v);
        queue.push(w);
      }
    }
  }
  return [start];
}

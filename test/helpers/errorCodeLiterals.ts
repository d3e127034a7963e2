import type { SourceFile } from './imports/sourceFiles.js';

/** A string literal that source code uses as an error code: thrown, answered, or compared with one. */
export interface CodeLiteral {
  code: string;
  path: string;
}

const CODE = `'([A-Z][A-Z0-9_]+)'`;

/**
 * Where a code is written down: an error's constructor (`new Conflict('X', …)`, `new CofferApiError(409, 'X', …)`),
 * `super('X', …)`, `code = 'X'` / `code: 'X'` / `errorCode: 'X'`, a `['X', 'Message…']` table row,
 * and comparisons (`.code === 'X'`, `case 'X':`, `isApiError(e, 409, 'X')`).
 */
const SITES = [
  new RegExp(`new [A-Z]\\w*\\(\\s*(?:[^,()'"\`]+,\\s*)?${CODE}`, 'g'),
  new RegExp(`super\\(\\s*${CODE}`, 'g'),
  new RegExp(`\\b(?:code|errorCode)(?:: [^=;\\n]+)?\\s*[:=]\\s*${CODE}`, 'g'),
  new RegExp(`\\[\\s*${CODE},\\s*['\`][A-Z][a-z]`, 'g'),
  new RegExp(`\\.code\\s*[!=]==\\s*${CODE}`, 'g'),
  new RegExp(`\\bcase ${CODE}:`, 'g'),
  new RegExp(`isApiError\\([^)]*${CODE}`, 'g'),
];

/** Node's own codes, compared with `error.code` of a system or HTTP-parser error: errno names and llhttp's. */
export const isNodeCode = (code: string) => /^E[A-Z]+$/.test(code) || code.startsWith('HPE_');

/** Every code literal in `files`, Node's own codes left out. */
export function codeLiterals(files: readonly SourceFile[]): CodeLiteral[] {
  const found: CodeLiteral[] = [];
  for (const file of files) {
    for (const site of SITES) {
      for (const match of file.text.matchAll(site)) if (!isNodeCode(match[1]!)) found.push({ code: match[1]!, path: file.path });
    }
  }
  return found;
}

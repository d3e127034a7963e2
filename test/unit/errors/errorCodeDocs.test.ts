import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ERROR_KINDS, kindsOf, SERVER_ERROR_CODES, type ServerErrorCode } from '../../../shared/core/errors/index.js';
import { errorCodeTable, TABLE_BEGIN, TABLE_END } from '../../helpers/errorCodeTable.js';
import { REPO_ROOT } from '../../helpers/imports/sourceFiles.js';

const read = (path: string) => readFileSync(join(REPO_ROOT, path), 'utf8');

describe('the documented error codes', () => {
  it("README's table is the registry's (on a difference, paste the expected table between its markers)", () => {
    const readme = read('README.md');
    const begin = readme.indexOf(TABLE_BEGIN);
    const end = readme.indexOf(TABLE_END);
    expect([begin, end].every((i) => i >= 0) && begin < end).toBe(true);
    expect(readme.slice(begin + TABLE_BEGIN.length, end).trim()).toBe(errorCodeTable());
  });

  it("docs/links.md gives each link error the registry's status", () => {
    // Prepare
    const errors = read('docs/links.md').split('## Errors')[1]!.split('\n## ')[0]!;

    // Act
    const rows = [...errors.matchAll(/^\| (\d{3}) \| (.+) \|$/gm)].flatMap(([, status, codes]) =>
      [...codes!.matchAll(/`([A-Z_]+)`/g)].map(([, code]) => [code!, Number(status)] as const),
    );

    // Assess
    expect(rows.length).toBeGreaterThan(10);
    for (const [code, status] of rows) {
      expect(code in SERVER_ERROR_CODES, code).toBe(true);
      expect(kindsOf(code as ServerErrorCode).map((kind) => ERROR_KINDS[kind]), code).toContain(status);
    }
  });
});

import { ERROR_KINDS, kindsOf, SERVER_ERROR_CODES, type ServerErrorCode } from '../../shared/core/errors/index.js';

export const TABLE_BEGIN = '<!-- error codes: generated from shared/core/errors/errorCodes.ts (test/unit/errors/errorCodeDocs.test.ts) -->';
export const TABLE_END = '<!-- error codes: end -->';

/** The README's table of every code the server sends, by HTTP status, in the registry's order. */
export function errorCodeTable(): string {
  const byStatus = new Map<number, string[]>();
  for (const code of Object.keys(SERVER_ERROR_CODES) as ServerErrorCode[]) {
    for (const kind of kindsOf(code)) {
      const status = ERROR_KINDS[kind];
      byStatus.set(status, [...(byStatus.get(status) ?? []), `\`${code}\``]);
    }
  }
  const rows = [...byStatus].sort(([a], [b]) => a - b).map(([status, codes]) => `| ${status} | ${codes.join(', ')} |`);
  return ['| status | codes |', '|---|---|', ...rows].join('\n');
}

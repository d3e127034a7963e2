import { describe, expect, it } from 'vitest';
import { safeFileName } from '../../../client/sdk/safeFileName.js';

const utf8Length = (s: string) => new TextEncoder().encode(s).length;

describe('safeFileName', () => {
  it.each([
    ['path traversal', '../../etc/passwd', 'passwd'],
    ['an absolute path', '/etc/passwd', 'passwd'],
    ['a Windows path', 'C:\\Windows\\System32\\evil.dll', 'evil.dll'],
    ['Windows traversal', '..\\..\\boot.ini', 'boot.ini'],
    ['mixed separators', 'a/b\\c/d.txt', 'd.txt'],
    ['a NUL byte', 'report\u0000.pdf', 'report.pdf'],
    ['control characters and an ANSI escape', 'a\nb\tc\u001b[31m.txt', 'abc[31m.txt'],
    ['DEL and C1 controls', 'x\u007fy\u0085z.txt', 'xyz.txt'],
    ['a right-to-left override hiding .exe', 'invoice\u202Efdp.exe', 'invoicefdp.exe'],
    ['zero-width characters', 'pay\u200Broll.xlsx', 'payroll.xlsx'],
    ['characters Windows forbids', 'a<b>c:d"e|f?g*h.txt', 'a_b_c_d_e_f_g_h.txt'],
    ['trailing dots and spaces', 'file. . .', 'file'],
    ['surrounding spaces', '  spaced name.txt  ', 'spaced name.txt'],
    ['a leading dot (hidden file)', '.bashrc', 'bashrc'],
    ['an ordinary name', 'Q3 report (final).pdf', 'Q3 report (final).pdf'],
    ['accents (kept, NFC)', 'résumé.pdf', 'résumé.pdf'],
    ['decomposed accents (normalised to NFC)', 're\u0301sume\u0301.pdf', 'résumé.pdf'],
  ])('handles %s', (_label, input, expected) => {
    expect(safeFileName(input)).toBe(expected);
  });

  it.each(['CON', 'con', 'PRN', 'AUX', 'NUL', 'nul.txt', 'COM1', 'com9.log', 'LPT1', 'lpt3.tar.gz', 'CON ', 'CONIN$'])(
    'prefixes the Windows device name %j',
    (name) => {
      expect(safeFileName(name)).toBe(`_${name.trim()}`);
    },
  );

  it.each(['console.txt', 'nullable.js', 'com10', 'auxiliary'])('leaves %j alone (not a device name)', (name) => {
    expect(safeFileName(name)).toBe(name);
  });

  it.each(['', '.', '..', '...', '/', 'dir/', '\u0000\u0001', ' . '])('falls back for %j', (name) => {
    expect(safeFileName(name, 'document-abc')).toBe('document-abc');
  });

  it('cuts long names to 255 UTF-8 bytes, keeping the extension', () => {
    const result = safeFileName(`${'a'.repeat(300)}.pdf`);
    expect(utf8Length(result)).toBe(255);
    expect(result.endsWith('.pdf')).toBe(true);
  });

  it('never splits a multi-byte character or surrogate pair when cutting', () => {
    const result = safeFileName(`${'€😀'.repeat(100)}.txt`);
    expect(utf8Length(result)).toBeLessThanOrEqual(255);
    expect(result.endsWith('.txt')).toBe(true);
    expect(result).not.toMatch(/[\uD800-\uDFFF]/u); // a lone surrogate
    expect([...result.slice(0, -4)].every((ch) => ch === '€' || ch === '😀')).toBe(true);
  });
});

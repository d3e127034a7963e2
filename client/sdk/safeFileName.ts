/**
 * Turns a decrypted document name (chosen by whoever uploaded it, so untrusted) into a
 * single, harmless file name for the current directory:
 * - the last path segment only (`/` and `\` both separate): no traversal, no absolute path;
 * - no control characters (C0, DEL, C1) and no invisible/bidi-override characters that
 *   disguise an extension (`invoice\u202Efdp.exe`);
 * - no characters Windows forbids (`<>:"|?*`), no trailing dots or spaces, no leading dots
 *   (no hidden files such as `.bashrc` dropped into a home directory);
 * - no Windows device names (`CON`, `nul.txt`, `COM1.log`...);
 * - at most 255 UTF-8 bytes, keeping a short extension.
 * Returns `fallback` (which must itself be safe) when nothing usable is left.
 */
export function safeFileName(name: string, fallback = 'download'): string {
  const segments = name.normalize('NFC').split(/[/\\]/);
  let base = segments[segments.length - 1] ?? '';
  base = base
    .replace(INVISIBLE, '')
    .replace(WINDOWS_FORBIDDEN, '_')
    .trim()
    .replace(/^\.+/, '')
    .replace(/[. ]+$/, '')
    .trim();
  if (base.length === 0) return fallback;
  if (WINDOWS_DEVICE.test(base)) base = `_${base}`;
  return truncateUtf8(base, MAX_NAME_BYTES);
}

/** C0 controls, DEL, C1 controls, zero-width and bidi formatting characters, BOM. */
const INVISIBLE = /[\u0000-\u001f\u007f-\u009f\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff\ufff9-\ufffb]/g;

const WINDOWS_FORBIDDEN = /[<>:"|?*]/g;

/** Device names are reserved whatever the extension: `nul.txt` is NUL. */
const WINDOWS_DEVICE = /^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³]|conin\$|conout\$)(\..*)?$/i;

const MAX_NAME_BYTES = 255;
const MAX_KEPT_EXTENSION = 16;

function truncateUtf8(name: string, maxBytes: number): string {
  const encoder = new TextEncoder();
  if (encoder.encode(name).length <= maxBytes) return name;
  const dot = name.lastIndexOf('.');
  const ext = dot > 0 && name.length - dot <= MAX_KEPT_EXTENSION ? name.slice(dot) : '';
  const budget = maxBytes - encoder.encode(ext).length;
  let stem = '';
  let used = 0;
  // Iterate by code point so a surrogate pair is never split.
  for (const ch of name.slice(0, name.length - ext.length)) {
    const n = encoder.encode(ch).length;
    if (used + n > budget) break;
    stem += ch;
    used += n;
  }
  return stem + ext;
}

import { concatBytes } from '../../../../shared/core/crypto/bytes.js';
import { CofferError } from '../../../../shared/core/errors/index.js';

/** The most a view-only link shows in the page (it is held in memory to be shown). */
export const VIEW_LIMIT_BYTES = 20 * 1024 * 1024;

export type Viewable = { kind: 'image'; type: string; bytes: Uint8Array<ArrayBuffer> } | { kind: 'text'; text: string } | { kind: 'other' };

/** Reads a view-only document whole, up to VIEW_LIMIT_BYTES (more is cancelled, not read). */
export async function readForView(stream: ReadableStream<Uint8Array>): Promise<Uint8Array<ArrayBuffer>> {
  const parts: Uint8Array[] = [];
  let total = 0;
  const reader = stream.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > VIEW_LIMIT_BYTES) {
      await reader.cancel().catch(() => undefined);
      throw new CofferError('VIEW_TOO_LARGE', 'This file is too large to show in the page.');
    }
    parts.push(value);
  }
  return concatBytes(...parts);
}

/**
 * What the page can show: a raster image by its magic bytes (never SVG, which can carry
 * script), else valid UTF-8 text without NUL bytes, else nothing. The name is not trusted for this.
 */
export function viewable(bytes: Uint8Array<ArrayBuffer>): Viewable {
  const type = imageType(bytes);
  if (type) return { kind: 'image', type, bytes };
  if (bytes.includes(0)) return { kind: 'other' };
  try {
    return { kind: 'text', text: new TextDecoder('utf-8', { fatal: true }).decode(bytes) };
  } catch {
    return { kind: 'other' };
  }
}

const SIGNATURES: [string, number[]][] = [
  ['image/png', [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]],
  ['image/jpeg', [0xff, 0xd8, 0xff]],
  ['image/gif', [0x47, 0x49, 0x46, 0x38]],
];

function imageType(bytes: Uint8Array): string | undefined {
  for (const [type, signature] of SIGNATURES) if (signature.every((b, i) => bytes[i] === b)) return type;
  const riff = String.fromCharCode(...bytes.subarray(0, 4)) === 'RIFF' && String.fromCharCode(...bytes.subarray(8, 12)) === 'WEBP';
  return riff ? 'image/webp' : undefined;
}

import { z } from 'zod';
import { prefixes } from '../../data/keys.js';
import { decodePosition } from '../cursor.js';

/**
 * A position in the merged "shared with me" order: the last grant given, by its gsi1 sort key
 * and principal (ties between principals broken by principal id), and whose listing it is.
 */
export interface ListPosition {
  u: string;
  sk: string;
  p: string;
}

const position = z.strictObject({
  u: z.string(),
  sk: z.string().max(200).startsWith(prefixes.grant),
  p: z.string().max(100).regex(/^[ug]:/),
});

export function encodeListCursor(at: ListPosition): string {
  return Buffer.from(JSON.stringify({ u: at.u, sk: at.sk, p: at.p })).toString('base64url');
}

/** A cursor is only a position in the caller's own listing: another user's, or any other shape, is refused (400). */
export function decodeListCursor(cursor: string, userId: string): ListPosition {
  return decodePosition(cursor, position, (k) => k.u === userId);
}

/** The merged order: gsi1 sort key, then principal id. */
export function compareListPositions(a: { sk: string; p: string }, b: { sk: string; p: string }): number {
  if (a.sk !== b.sk) return a.sk < b.sk ? -1 : 1;
  return a.p < b.p ? -1 : a.p > b.p ? 1 : 0;
}

import { z } from 'zod';
import { keys, prefixes } from '../../data/keys.js';
import { decodePosition } from '../cursor.js';

const childKey = z.strictObject({ pk: z.string(), sk: z.string() });

/** An opaque position in one folder's child pointers. */
export function encodeChildCursor(key: Record<string, unknown>): string {
  return Buffer.from(JSON.stringify({ pk: key.pk, sk: key.sk })).toString('base64url');
}

/** A cursor is only a position among this folder's child pointers: anything else is refused. */
export function decodeChildCursor(cursor: string, folderId: string): Record<string, unknown> {
  return decodePosition(
    cursor,
    childKey,
    (k) => k.pk === keys.nodePartition(folderId) && k.sk.startsWith(prefixes.child),
    'The cursor is not valid for this folder: start again without it.',
  );
}

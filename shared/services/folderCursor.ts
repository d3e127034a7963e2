import { z } from 'zod';
import { keys, prefixes } from '../data/keys.js';
import { ValidationFailed } from '../errors/index.js';

const lastKey = z.strictObject({ pk: z.string(), sk: z.string() });

/** An opaque position in one folder's child pointers. */
export function encodeChildCursor(key: Record<string, unknown>): string {
  return Buffer.from(JSON.stringify({ pk: key.pk, sk: key.sk })).toString('base64url');
}

/** A cursor is only a position among this folder's child pointers: anything else is refused. */
export function decodeChildCursor(cursor: string, folderId: string): Record<string, unknown> {
  const invalid = () => new ValidationFailed('The cursor is not valid for this folder: start again without it.');
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalid();
  }
  const key = lastKey.safeParse(parsed);
  if (!key.success || key.data.pk !== keys.nodePartition(folderId) || !key.data.sk.startsWith(prefixes.child)) throw invalid();
  return key.data;
}

import { z } from 'zod';
import { indexKeys, principal } from '../data/keys.js';
import { ValidationFailed } from '../errors/index.js';

const lastKey = z.strictObject({ pk: z.string(), sk: z.string(), gsi1pk: z.string(), gsi1sk: z.string() });

export function encodeCursor(key: Record<string, unknown>): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

/** A cursor is only a position in the caller's own gsi1 partition: anything else is refused. */
export function decodeCursor(cursor: string, userId: string): Record<string, unknown> {
  const invalid = () => new ValidationFailed('The cursor is not valid: start again without it.');
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalid();
  }
  const key = lastKey.safeParse(parsed);
  if (!key.success || key.data.gsi1pk !== indexKeys.principalPartition(principal.user(userId))) throw invalid();
  return key.data;
}

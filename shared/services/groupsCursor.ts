import { z } from 'zod';
import { indexKeys, principal } from '../data/keys.js';
import { ValidationFailed } from '../errors/index.js';
import { encodeCursor } from './cursor.js';

const lastKey = z.strictObject({ pk: z.string(), sk: z.string(), gsi1pk: z.string(), gsi1sk: z.string() });

export { encodeCursor as encodeGroupCursor };

/** A cursor is only a position in the group's own gsi1 partition: anything else is refused. */
export function decodeGroupCursor(cursor: string, groupId: string): Record<string, unknown> {
  const invalid = () => new ValidationFailed('The cursor is not valid: start again without it.');
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalid();
  }
  const key = lastKey.safeParse(parsed);
  if (!key.success || key.data.gsi1pk !== indexKeys.principalPartition(principal.group(groupId))) throw invalid();
  return key.data;
}

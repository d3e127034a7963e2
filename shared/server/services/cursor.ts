import { z } from 'zod';
import { indexKeys, principal } from '../data/keys.js';
import { ValidationFailed } from '../../core/errors/index.js';

const indexKey = z.strictObject({ pk: z.string(), sk: z.string(), gsi1pk: z.string(), gsi1sk: z.string() });

export function encodeCursor(key: Record<string, unknown>): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

/**
 * Decodes an opaque cursor into a DynamoDB position, refused (400) unless it has the expected
 * shape and lies where the caller may page (`belongs`): a cursor never reaches another partition.
 */
export function decodePosition<S extends z.ZodType<Record<string, unknown>>>(
  cursor: string,
  shape: S,
  belongs: (key: z.output<S>) => boolean,
  message = 'The cursor is not valid: start again without it.',
): z.output<S> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw new ValidationFailed(message);
  }
  const key = shape.safeParse(parsed);
  if (!key.success || !belongs(key.data)) throw new ValidationFailed(message);
  return key.data;
}

/** A cursor is only a position in a group's gsi1 partition (the grants made to the group): anything else is refused. */
export function decodeGroupCursor(cursor: string, groupId: string): Record<string, unknown> {
  return decodePosition(cursor, indexKey, (k) => k.gsi1pk === indexKeys.principalPartition(principal.group(groupId)));
}

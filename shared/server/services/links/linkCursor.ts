import { z } from 'zod';
import { indexKeys } from '../../data/keys.js';
import { decodePosition, encodeCursor } from '../cursor.js';

const linkIndexKey = z.strictObject({ pk: z.string(), sk: z.string(), gsi1pk: z.string(), gsi1sk: z.string() });

export { encodeCursor as encodeLinkCursor };

/** A cursor is only a position among this node's links (its gsi1 partition): anything else is refused. */
export function decodeLinkCursor(cursor: string, nodeId: string): Record<string, unknown> {
  return decodePosition(
    cursor,
    linkIndexKey,
    (k) => k.gsi1pk === indexKeys.linksPartition(nodeId) && k.pk.startsWith('LINK#') && k.sk === 'LINK',
    'The cursor is not valid for these links: start again without it.',
  );
}

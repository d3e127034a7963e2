import { z } from 'zod';
import { resolveAccess } from '../../access/resolveAccess.js';
import type { Deps } from '../../config/Deps.js';
import { keys, prefixes } from '../../data/keys.js';
import { listActiveVersions } from '../../data/versions.js';
import type { Caller } from '../../http/Operation.js';
import type { ListVersionsResponse } from '../../../core/api/schemas/versions.js';
import { decodePosition, encodeCursor } from '../cursor.js';
import { versionSummary } from './versionSummary.js';

const position = z.strictObject({ pk: z.string(), sk: z.string() });

/** A document's active versions (`download`), newest first, a page at a time; a cursor never leaves the document. */
export async function listDocumentVersions(
  deps: Deps,
  caller: Caller,
  documentId: string,
  query: { limit: number; cursor?: string | undefined },
): Promise<ListVersionsResponse> {
  const startKey = query.cursor
    ? decodePosition(query.cursor, position, (k) => k.pk === keys.nodePartition(documentId) && k.sk.startsWith(prefixes.version))
    : undefined;
  const access = await resolveAccess(deps, caller, documentId, { kind: 'document' });
  access.require('download');
  const current = access.node.currentVersion as number;
  const page = await listActiveVersions(deps.db, documentId, query.limit, startKey);
  return {
    versions: page.versions.map((v) => versionSummary(v, current)),
    ...(page.lastKey ? { cursor: encodeCursor(page.lastKey) } : {}),
  };
}

import type { Deps } from '../../config/Deps.js';
import { getNodeMetas } from '../../data/documents.js';
import type { GroupMeta } from '../../data/groupItems.js';
import { rewrapGroupGrant } from '../../data/groups.js';
import { Conflict } from '../../../core/errors/index.js';
import type { RewrapGrantsBody, RewrapGrantsResponse } from '../../../core/api/schemas/groups.js';

/**
 * Node keys re-wrapped for the group's current key. Each grant is its own conditional write (a
 * document's with `rotationDue` on the document): one re-wrapped concurrently by someone else is
 * reported as skipped.
 */
export async function rewrapGrantsForGroup(deps: Deps, meta: GroupMeta, body: RewrapGrantsBody): Promise<RewrapGrantsResponse> {
  if (body.principalKeyGeneration !== meta.keyGeneration) {
    throw new Conflict('GROUP_KEY_CHANGED', "The group's key changed: reload the group and wrap for its current key.");
  }
  // The node's kind decides whether the re-wrap also marks a document's key due for rotation.
  const metas = await getNodeMetas(deps.db, body.grants.map((g) => g.nodeId));
  const results = await Promise.all(
    body.grants.map((g) =>
      rewrapGroupGrant(deps.db, meta.groupId, g, body.principalKeyGeneration, metas.get(g.nodeId)?.kind === 'document' ? 'document' : 'folder'),
    ),
  );
  return {
    groupId: meta.groupId,
    rewrapped: body.grants.filter((_, i) => results[i]).map((g) => g.nodeId),
    skipped: body.grants.filter((_, i) => !results[i]).map((g) => g.nodeId),
  };
}

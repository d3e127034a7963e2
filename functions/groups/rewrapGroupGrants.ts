import { getNodeMetas } from '../../shared/server/data/documents.js';
import { rewrapGroupGrant } from '../../shared/server/data/groups.js';
import { Conflict } from '../../shared/core/errors/index.js';
import { operation } from '../../shared/server/http/Operation.js';
import { groupIdParams, rewrapGrantsBody, type RewrapGrantsResponse } from '../../shared/core/api/schemas/groups.js';
import { requireGroupMember } from '../../shared/server/services/groupsAccess.js';

/**
 * Store node keys re-wrapped for the group's current key (members only). Each grant is its own
 * conditional write (a document's with `rotationDue` on the document): one re-wrapped concurrently
 * by someone else is reported as skipped.
 */
export const rewrapGroupGrants = operation({
  params: groupIdParams,
  body: rewrapGrantsBody,
  async run({ params, body, caller, deps }) {
    const { meta } = await requireGroupMember(deps.db, params.id, caller);
    if (body.principalKeyGeneration !== meta.keyGeneration) {
      throw new Conflict('GROUP_KEY_CHANGED', "The group's key changed: reload the group and wrap for its current key.");
    }
    // The node's kind decides whether the re-wrap also marks a document's key due for rotation.
    const metas = await getNodeMetas(deps.db, body.grants.map((g) => g.nodeId));
    const results = await Promise.all(
      body.grants.map((g) =>
        rewrapGroupGrant(deps.db, params.id, g, body.principalKeyGeneration, metas.get(g.nodeId)?.kind === 'document' ? 'document' : 'folder'),
      ),
    );
    const response: RewrapGrantsResponse = {
      groupId: params.id,
      rewrapped: body.grants.filter((_, i) => results[i]).map((g) => g.nodeId),
      skipped: body.grants.filter((_, i) => !results[i]).map((g) => g.nodeId),
    };
    return { body: response };
  },
});

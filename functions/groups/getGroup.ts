import { listMembers } from '../../shared/server/data/groups.js';
import { operation } from '../../shared/server/http/Operation.js';
import { groupIdParams, type GroupView } from '../../shared/core/api/schemas/groups.js';
import { groupNotFound, groupStanding } from '../../shared/server/services/groupsAccess.js';

/**
 * A group's public face for any member of the directory (to nest it, or wrap for it);
 * its members only for its own members. Guests see only groups they are in.
 */
export const getGroup = operation({
  params: groupIdParams,
  async run({ params, caller, deps }) {
    const { meta, via, own, admin } = await groupStanding(deps.db, params.id, caller);
    if (!via && caller.kind === 'guest') throw groupNotFound();
    const members = via ? await listMembers(deps.db, params.id) : undefined;
    const view: GroupView = {
      groupId: meta.groupId,
      name: meta.name,
      keyGeneration: meta.keyGeneration,
      publicKey: meta.publicKey,
      fingerprint: meta.fingerprint,
      memberCount: meta.memberCount,
      createdAt: meta.createdAt,
      ...(via ? { membership: { via, ...(own ? { role: own.role } : {}), admin } } : {}),
      ...(members
        ? { members: members.map((m) => ({ principalId: m.principalId, role: m.role, kind: m.kind })).sort((a, b) => a.principalId.localeCompare(b.principalId)) }
        : {}),
    };
    return { body: view };
  },
});

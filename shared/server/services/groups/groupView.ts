import type { GroupMeta } from '../../data/groupItems.js';
import type { GroupMemberView, GroupView } from '../../../core/api/schemas/groups.js';

/**
 * What a caller sees of a group: its public face for anyone, and, for a member (transitively),
 * how they belong and who the members are, sorted by principal id.
 */
export function groupView(meta: GroupMeta, membership?: NonNullable<GroupView['membership']>, members?: readonly GroupMemberView[]): GroupView {
  return {
    groupId: meta.groupId,
    name: meta.name,
    keyGeneration: meta.keyGeneration,
    publicKey: meta.publicKey,
    fingerprint: meta.fingerprint,
    memberCount: meta.memberCount,
    createdAt: meta.createdAt,
    ...(membership ? { membership } : {}),
    ...(members
      ? { members: members.map((m) => ({ principalId: m.principalId, role: m.role, kind: m.kind })).sort((a, b) => a.principalId.localeCompare(b.principalId)) }
      : {}),
  };
}

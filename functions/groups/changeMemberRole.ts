import { changeMemberRole as changeRole, getMemberItems } from '../../shared/server/data/groups.js';
import { NotFound, Unprocessable } from '../../shared/core/errors/index.js';
import { operation } from '../../shared/server/http/Operation.js';
import { changeMemberRoleBody, memberParams } from '../../shared/core/api/schemas/groups.js';
import { requireGroupAdmin } from '../../shared/server/services/groups/groupStanding.js';

/** Make a member an admin or a plain member (admins only); the last admin stays. */
export const changeMemberRole = operation({
  params: memberParams,
  body: changeMemberRoleBody,
  audit: ({ body }) => ({ details: { role: body.role } }),
  async run({ params, body, caller, deps }) {
    const { meta } = await requireGroupAdmin(deps.db, params.id, caller);
    const member = (await getMemberItems(deps.db, params.id, [params.principalId])).get(params.principalId);
    if (!member) throw new NotFound('MEMBER_NOT_FOUND', `${params.principalId} is not a member of this group.`);
    if (body.role === 'admin' && member.kind === 'guest') {
      throw new Unprocessable('GUEST_CANNOT_BE_ADMIN', 'Guests can be members, never admins.');
    }
    if (member.role === 'admin' && body.role === 'member' && (meta.adminCount ?? 0) <= 1) {
      throw new Unprocessable('LAST_ADMIN', 'A group keeps at least one admin: promote another admin first.');
    }
    await changeRole(deps.db, meta, params.principalId, body.role, member.role);
    return { body: { groupId: params.id, principalId: params.principalId, role: body.role } };
  },
});

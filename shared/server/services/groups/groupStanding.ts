import { batchGetAll } from '../../data/batchOperations.js';
import type { Database } from '../../data/Database.js';
import { getMemberships } from '../../data/groups.js';
import type { GroupMemberItem, GroupMeta } from '../../data/groupItems.js';
import { keys, principal } from '../../data/keys.js';
import type { PrincipalSetItem } from '../../data/principalSets.js';
import { Forbidden, NotFound } from '../../../core/errors/index.js';
import type { Caller } from '../../http/Operation.js';

/** Where the caller stands in one group, read strongly consistent. */
export interface GroupStanding {
  meta: GroupMeta;
  /** The caller's principal set as read. */
  set: PrincipalSetItem | undefined;
  /** The member principal through which the caller is in the group (itself or a group it is in); absent: not a member. */
  via?: string;
  /** The caller's own member item, when it is a direct member. */
  own?: GroupMemberItem;
  /** A direct admin, or in a group that is an admin member; never a guest. */
  admin: boolean;
}

export const groupNotFound = () => new NotFound('GROUP_NOT_FOUND', 'No such group, or you are not in it.');

/**
 * The group's META, the caller's principal set and own member item in one BatchGet; a second
 * read only for a member that is not a direct admin (is it in a group that is an admin member?).
 * Unknown group: GROUP_NOT_FOUND.
 */
export async function groupStanding(db: Database, groupId: string, caller: Caller): Promise<GroupStanding> {
  const me = principal.user(caller.userId);
  const items = await batchGetAll(db, [keys.groupMeta(groupId), keys.principalSet(caller.userId), keys.groupMember(groupId, me)], true);
  const meta = items.find((i) => i.sk === 'META') as GroupMeta | undefined;
  if (!meta) throw groupNotFound();
  const set = items.find((i) => i.sk === 'PRINCIPALS') as PrincipalSetItem | undefined;
  const own = items.find((i) => typeof i.sk === 'string' && i.sk.startsWith('MEMBER#')) as GroupMemberItem | undefined;
  const via = own ? me : set?.groups?.[groupId];
  let admin = caller.kind !== 'guest' && own?.role === 'admin';
  if (!admin && via && caller.kind !== 'guest') {
    const mine = Object.keys(set?.groups ?? {}).filter((g) => g !== groupId);
    const nested = await getMemberships(db, mine.map((g) => ({ groupId, principalId: principal.group(g) })));
    admin = [...nested.values()].some((m) => m.role === 'admin');
  }
  return { meta, set, ...(via ? { via } : {}), ...(own ? { own } : {}), admin };
}

/** Members only (transitively): anyone else gets the same 404 as for an unknown group. */
export async function requireGroupMember(db: Database, groupId: string, caller: Caller): Promise<GroupStanding & { via: string }> {
  const standing = await groupStanding(db, groupId, caller);
  if (!standing.via) throw groupNotFound();
  return standing as GroupStanding & { via: string };
}

/** Admins only: members get 403 NOT_GROUP_ADMIN, everyone else 404. */
export async function requireGroupAdmin(db: Database, groupId: string, caller: Caller): Promise<GroupStanding & { via: string }> {
  const standing = await requireGroupMember(db, groupId, caller);
  if (!standing.admin) throw notAdmin();
  return standing;
}

export const notAdmin = () => new Forbidden('NOT_GROUP_ADMIN', "Only the group's admins may do this: ask one of them.");

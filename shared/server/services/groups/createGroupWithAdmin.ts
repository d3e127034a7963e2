import type { Deps } from '../../config/Deps.js';
import { createGroup } from '../../data/groups.js';
import type { GroupMeta } from '../../data/groupItems.js';
import { principal } from '../../data/keys.js';
import { getPrincipalSets } from '../../data/principalSets.js';
import { Forbidden } from '../../../core/errors/index.js';
import type { Caller } from '../../http/Operation.js';
import type { CreateGroupBody, GroupView } from '../../../core/api/schemas/groups.js';
import { checkGroupPublicKey } from './checkGroupPublicKey.js';
import { groupView } from './groupView.js';

/**
 * A new group: the META, the creator as its first admin and the creator's principal set, in one
 * transaction. Members only (guests cannot create groups); the group's public key is checked
 * against its fingerprint first.
 */
export async function createGroupWithAdmin(deps: Deps, caller: Caller, body: CreateGroupBody): Promise<GroupView> {
  if (caller.kind === 'guest') throw new Forbidden('GUEST_FORBIDDEN', 'Guests cannot create groups.');
  checkGroupPublicKey(body.publicKey, body.fingerprint);
  const now = new Date(deps.clock()).toISOString();
  const me = principal.user(caller.userId);
  const meta: GroupMeta = {
    groupId: body.groupId,
    name: body.name,
    keyGeneration: 1,
    publicKey: body.publicKey,
    fingerprint: body.fingerprint,
    sealedPrivateKey: body.sealedPrivateKey,
    keyChain: {},
    sealedPrivateKeys: {},
    supergroups: {},
    memberCount: 1,
    adminCount: 1,
    createdBy: caller.userId,
    createdAt: now,
    rev: 1,
  };
  const current = (await getPrincipalSets(deps.db, [caller.userId])).get(caller.userId);
  await createGroup(
    deps.db,
    meta,
    { groupId: body.groupId, principalId: me, kind: caller.kind, role: 'admin', wrappedSecret: body.creatorWrappedSecret, keyGeneration: 1, addedBy: caller.userId, addedAt: now },
    { groups: { ...(current?.groups ?? {}), [body.groupId]: me }, rev: current?.rev ?? 0 },
  );
  return groupView(meta, { via: me, role: 'admin', admin: true }, [{ principalId: me, role: 'admin', kind: caller.kind }]);
}

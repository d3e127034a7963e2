import { createGroup as createGroupItems } from '../../shared/server/data/groups.js';
import type { GroupMeta } from '../../shared/server/data/groupItems.js';
import { principal } from '../../shared/server/data/keys.js';
import { getPrincipalSets } from '../../shared/server/data/principalSets.js';
import { Forbidden } from '../../shared/core/errors/index.js';
import { operation } from '../../shared/server/http/Operation.js';
import { createGroupBody, type GroupView } from '../../shared/core/api/schemas/groups.js';
import { checkGroupPublicKey } from '../../shared/server/services/groupsKeys.js';

/** Create a group: the META, the creator as its first admin and the creator's principal set, in one transaction. */
export const createGroup = operation({
  body: createGroupBody,
  audit: ({ body }) => ({ resource: { kind: 'group', id: body.groupId } }),
  async run({ body, caller, deps }) {
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
    await createGroupItems(
      deps.db,
      meta,
      { groupId: body.groupId, principalId: me, kind: caller.kind, role: 'admin', wrappedSecret: body.creatorWrappedSecret, keyGeneration: 1, addedBy: caller.userId, addedAt: now },
      { groups: { ...(current?.groups ?? {}), [body.groupId]: me }, rev: current?.rev ?? 0 },
    );
    const view: GroupView = {
      groupId: meta.groupId,
      name: meta.name,
      keyGeneration: 1,
      publicKey: meta.publicKey,
      fingerprint: meta.fingerprint,
      memberCount: 1,
      createdAt: now,
      membership: { via: me, role: 'admin', admin: true },
      members: [{ principalId: me, role: 'admin', kind: caller.kind }],
    };
    return { status: 201, body: view };
  },
});

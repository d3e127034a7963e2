import { nodeChange } from '../../access/authorityGuards.js';
import { resolveAccess } from '../../access/resolveAccess.js';
import type { Deps } from '../../config/Deps.js';
import { type FolderMeta, limitFolder, type Rewrap, unlimitFolder } from '../../data/folders.js';
import { principal } from '../../data/keys.js';
import { type GrantItem, isLive } from '../../data/nodes.js';
import { Conflict, Unprocessable } from '../../../core/errors/index.js';
import type { Caller } from '../../http/Operation.js';
import { rank, type Role } from '../../../core/permissions/levels.js';
import type { LimitFolderBody, LimitFolderResponse } from '../../../core/api/schemas/folders.js';
import { MAX_TRANSACTION_ITEMS } from '../../data/transactWrite.js';
import { checkGrantees, checkWrappedFor } from '../sharing/granteeRewrap.js';

/**
 * Limited access on or off (`manage`). On: a new key generation, the old key chained under it,
 * no inheritance, every direct grant re-wrapped for the new key (and the caller added when it has
 * no direct grant, so it keeps access), in one transaction. Off: inherit again, the current key
 * wrapped under the parent's current key. Root folders inherit nothing and cannot be limited.
 */
export async function setFolderLimited(deps: Deps, caller: Caller, folderId: string, body: LimitFolderBody): Promise<LimitFolderResponse> {
  const access = await resolveAccess(deps, caller, folderId, { kind: 'folder' });
  access.require('manage');
  const folder = access.node as FolderMeta;
  if (!folder.parentId) throw new Unprocessable('NOT_IN_A_FOLDER', 'A top-level folder inherits nothing: there is nothing to limit.');
  const now = deps.clock();
  const nowIso = new Date(now).toISOString();
  const guards = nodeChange(access, now).guards;

  if (!body.limited) {
    if (!folder.limited) throw new Unprocessable('NOT_LIMITED', 'This folder already inherits access from its parent.');
    const parent = access.ancestors[0]!;
    if (body.parentKeyGeneration !== parent.keyGeneration) {
      throw new Conflict('PARENT_KEY_CHANGED', "The parent folder's key changed: fetch it again and re-wrap.");
    }
    await unlimitFolder(deps.db, folder, { parentId: parent.nodeId, rev: parent.rev, keyGeneration: parent.keyGeneration }, body.parentWrap, nowIso, guards);
    return { folderId, limited: false, keyGeneration: folder.keyGeneration };
  }

  if (folder.limited) throw new Unprocessable('ALREADY_LIMITED', 'This folder already has limited access.');
  if (body.keyGeneration !== folder.keyGeneration + 1) {
    throw new Conflict('KEY_GENERATION_CHANGED', `The folder is at key generation ${folder.keyGeneration}: wrap a new key for ${folder.keyGeneration + 1}.`);
  }
  const me = principal.user(caller.userId);
  const acl = Object.entries(folder.acl ?? {});
  const live = acl.filter(([, e]) => isLive(e, now)).map(([p]) => p);
  const addCaller = !live.includes(me);
  const expired = acl.filter(([p, e]) => !isLive(e, now) && !(addCaller && p === me)).map(([p]) => p);
  const required = new Set(addCaller ? [...live, me] : live);
  checkGrantees(body.grants, required);
  if (1 + body.grants.length + expired.length + guards.length > MAX_TRANSACTION_ITEMS) {
    throw new Unprocessable(
      'TOO_MANY_GRANTS',
      `Limiting re-wraps every direct grant in one transaction: this folder has too many (${required.size}). Remove some first.`,
    );
  }
  await checkWrappedFor(deps, body.grants);

  const byId = new Map(body.grants.map((g) => [g.principalId, g]));
  const rewraps: Rewrap[] = live.map((p) => {
    const g = byId.get(p)!;
    return { principalId: p, wrappedKey: g.wrappedKey, ...(g.principalKeyGeneration !== undefined ? { principalKeyGeneration: g.principalKeyGeneration } : {}) };
  });
  const added: GrantItem | undefined = addCaller
    ? {
        nodeId: folderId,
        principalId: me,
        userId: caller.userId,
        role: capAtManager(access.role),
        wrappedKey: byId.get(me)!.wrappedKey,
        keyGeneration: body.keyGeneration,
        grantedBy: caller.userId,
        sharedAt: nowIso,
      }
    : undefined;
  await limitFolder(deps.db, {
    folder,
    newGeneration: body.keyGeneration,
    chainWrap: body.chainWrap,
    encryptedName: body.encryptedName,
    rewraps,
    ...(added ? { added } : {}),
    expired,
    guards,
    nowIso,
  });
  return { folderId, limited: true, keyGeneration: body.keyGeneration };
}

function capAtManager(role: Role): Role {
  return rank(role) > rank('manager') ? 'manager' : role;
}

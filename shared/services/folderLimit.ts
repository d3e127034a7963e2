import { nodeChange } from '../access/authorityGuards.js';
import { resolveAccess } from '../access/resolveAccess.js';
import type { Deps } from '../config/Deps.js';
import { type FolderMeta, limitFolder, type Rewrap, unlimitFolder } from '../data/folders.js';
import { getGroupMetas } from '../data/groups.js';
import { principal } from '../data/keys.js';
import { type GrantItem, isLive } from '../data/nodes.js';
import { getProfiles } from '../data/users.js';
import { Conflict, Unprocessable, ValidationFailed } from '../errors/index.js';
import type { Caller } from '../http/Operation.js';
import { rank, type Role } from '../permissions/levels.js';
import type { LimitFolderBody, LimitFolderResponse, LimitGrantInput } from '../schemas/folders.js';

/** DynamoDB's limit of items per transaction. */
const MAX_TRANSACTION_ITEMS = 100;

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

/** The grants must be exactly the required principals, each once. */
function checkGrantees(grants: LimitGrantInput[], required: Set<string>): void {
  const ids = grants.map((g) => g.principalId);
  const duplicates = ids.filter((id, i) => ids.indexOf(id) !== i);
  if (duplicates.length > 0) throw new ValidationFailed(`Each principal may appear once: ${[...new Set(duplicates)].join(', ')}.`);
  const given = new Set(ids);
  const missing = [...required].filter((p) => !given.has(p)).sort();
  const unexpected = ids.filter((p) => !required.has(p)).sort();
  if (missing.length > 0 || unexpected.length > 0) {
    throw new Conflict('GRANTEES_CHANGED', "Wrap the new key for exactly the folder's direct grantees (and yourself): reload its permissions.", {
      missing,
      unexpected,
    });
  }
}

/** Every key was wrapped for the principal's current public key: a user's fingerprint, a group's key generation. */
async function checkWrappedFor(deps: Deps, grants: LimitGrantInput[]): Promise<void> {
  const users = grants.flatMap((g) => principal.userIdOf(g.principalId) ?? []);
  const groups = grants.flatMap((g) => principal.groupIdOf(g.principalId) ?? []);
  const [profiles, metas] = await Promise.all([
    users.length ? getProfiles(deps.db, users) : Promise.resolve(new Map()),
    groups.length ? getGroupMetas(deps.db, groups) : Promise.resolve(new Map()),
  ]);
  const stale: string[] = [];
  for (const g of grants) {
    const userId = principal.userIdOf(g.principalId);
    if (userId !== undefined) {
      if (!g.fingerprint) throw new ValidationFailed(`${g.principalId}: send the fingerprint of the public key wrapped for.`);
      if (profiles.get(userId)?.fingerprint !== g.fingerprint) stale.push(g.principalId);
    } else {
      if (g.principalKeyGeneration === undefined) throw new ValidationFailed(`${g.principalId}: send the group key generation wrapped for.`);
      const group = metas.get(principal.groupIdOf(g.principalId)!);
      const fingerprintOk = g.fingerprint === undefined || group?.fingerprint === g.fingerprint;
      if (group?.keyGeneration !== g.principalKeyGeneration || !fingerprintOk) stale.push(g.principalId);
    }
  }
  if (stale.length > 0) {
    throw new Conflict('STALE_PUBLIC_KEY', `Not wrapped for the current public key of ${stale.join(', ')}: fetch the keys again.`, { principalIds: stale });
  }
}

import type { Deps } from '../config/Deps.js';
import { batchGetAll } from '../data/batchOperations.js';
import { keys, principal } from '../data/keys.js';
import { type GrantItem, isLive, type NodeKind, type NodeMeta } from '../data/nodes.js';
import { type CodeOf, Forbidden, NotFound, ServiceUnavailable } from '../../core/errors/index.js';
import type { Caller } from '../http/Operation.js';
import { type Capability, can, higher, inherited, type Role } from '../../core/permissions/levels.js';

/** The caller's principal set item (docs/permissions.md): every group, transitively, with the member on the path. */
export interface PrincipalSetItem {
  groups?: Record<string, string>;
  rev?: number;
}

export interface AccessSource {
  principalId: string;
  role: Role;
  /** The node whose ACL holds the entry: the node itself (direct) or an ancestor folder (inherited). */
  fromNodeId: string;
  inherited: boolean;
  expiresAt?: string;
}

/** A resolved check: the node, the caller's effective level and what it was derived from. */
export interface NodeAccess {
  node: NodeMeta & Record<string, unknown>;
  role: Role;
  caller: Caller;
  /** `u:<id>` and every group of the caller, transitively. */
  principals: ReadonlySet<string>;
  /** Verified ancestors, parent first, up to the root. */
  ancestors: NodeMeta[];
  /** The nodes whose ACLs apply: the node, then ancestors up to and including the nearest limited one. */
  scope: NodeMeta[];
  /** The caller's own direct grant on the node, when there is one (read in the first round trip). */
  ownGrant?: GrantItem;
  /** The rev of the caller's principal set, when it has one (a guard for writes that rely on group membership). */
  principalSetRev?: number;
  can(capability: Capability): boolean;
  /** Throws 403 with a stable code when the capability is missing. */
  require(capability: Capability): void;
}

export interface ResolveOptions {
  /** The node must be of this kind (else the same 404). */
  kind?: NodeKind;
  /** Pending documents are visible to their owner only, and only when asked for (complete, cancel). */
  allowPending?: boolean;
}

const MAX_ROUNDS = 5;

const FORBIDDEN_CODES: Record<Capability, [CodeOf<'Forbidden'>, string]> = {
  view: ['CANNOT_VIEW', 'You cannot view this.'],
  download: ['CANNOT_VIEW', 'You cannot download this.'],
  comment: ['CANNOT_COMMENT', 'Your level does not allow comments here.'],
  edit: ['CANNOT_EDIT', 'Your level does not allow editing here.'],
  share: ['CANNOT_SHARE', 'Your level does not allow sharing this.'],
  manage: ['CANNOT_MANAGE', 'Your level does not allow managing permissions here.'],
  delete: ['NOT_OWNER', 'Only the owner can delete this.'],
  transfer: ['NOT_OWNER', 'Only the owner can transfer ownership.'],
  settings: ['NOT_OWNER', 'Only the owner can change these settings.'],
};

export function notFoundFor(kind?: NodeKind): NotFound {
  if (kind === 'document') return new NotFound('DOCUMENT_NOT_FOUND', 'No such document, or you have no access to it.');
  if (kind === 'folder') return new NotFound('FOLDER_NOT_FOUND', 'No such folder, or you have no access to it.');
  return new NotFound('NODE_NOT_FOUND', 'No such document or folder, or you have no access to it.');
}

export function forbidden(capability: Capability, caller: Caller): Forbidden {
  if (caller.kind === 'guest' && ['share', 'manage', 'transfer', 'settings'].includes(capability)) {
    return new Forbidden('GUEST_FORBIDDEN', 'Guests cannot do this.');
  }
  const [code, message] = FORBIDDEN_CODES[capability];
  return new Forbidden(code, message);
}

export function principalsOf(userId: string, set: PrincipalSetItem | undefined): Set<string> {
  return new Set([principal.user(userId), ...Object.keys(set?.groups ?? {}).map((g) => principal.group(g))]);
}

/**
 * THE access check, used by every handler (docs/permissions.md, "The access check"):
 * round trip 1 reads the node, the caller's principal set and own grant; round trip 2
 * the ancestors. Unknown, invisible and not-shared all answer the same 404.
 */
export async function resolveAccess(deps: Deps, caller: Caller, nodeId: string, options: ResolveOptions = {}): Promise<NodeAccess> {
  const ownGrantKey = keys.grant(nodeId, principal.user(caller.userId));
  const first = await batchGetAll(deps.db, [keys.nodeMeta(nodeId), keys.principalSet(caller.userId), ownGrantKey], true);
  const node = first.find((i) => i.pk === `NODE#${nodeId}` && i.sk === 'META') as (NodeMeta & Record<string, unknown>) | undefined;
  const set = first.find((i) => i.sk === 'PRINCIPALS') as PrincipalSetItem | undefined;
  const ownGrant = first.find((i) => i.sk === ownGrantKey.sk) as GrantItem | undefined;
  if (!node || (options.kind && node.kind !== options.kind)) throw notFoundFor(options.kind);
  const principals = principalsOf(caller.userId, set);
  if (node.state === 'pending' && options.allowPending && node.ownerId === caller.userId) {
    return makeAccess(node, 'owner', caller, principals, [], [node], ownGrant, set?.rev);
  }
  if (node.state !== 'active') throw notFoundFor(options.kind);
  const ancestors = await loadAncestors(deps, node);
  if (!ancestors) throw notFoundFor(options.kind);
  const scope = scopeOf(node, ancestors);
  const role = effectiveRole(scope, principals, deps.clock());
  if (!role) throw notFoundFor(options.kind);
  return makeAccess(node, role, caller, principals, ancestors, scope, ownGrant, set?.rev);
}

/**
 * Batch check: which of these nodes (at most 100) the caller can see, and at what level.
 * One BatchGet of the metas and principal set, then one of the ancestors not in hand.
 */
export async function resolveMany(deps: Deps, caller: Caller, nodeIds: string[]): Promise<Map<string, NodeAccess>> {
  const ids = [...new Set(nodeIds)];
  const [metas, setItems] = await Promise.all([
    batchGetAll(deps.db, ids.map((id) => keys.nodeMeta(id)), true),
    batchGetAll(deps.db, [keys.principalSet(caller.userId)], true),
  ]);
  return resolveLoaded(deps, caller, principalsOf(caller.userId, setItems[0] as PrincipalSetItem | undefined), ids, metas);
}

/**
 * The batch check for a caller whose principals are already read (the "shared with me"
 * listing reads them first, to know which partitions to query): one BatchGet of the metas,
 * then one of the ancestors not in hand.
 */
export async function resolveManyAs(deps: Deps, caller: Caller, principals: ReadonlySet<string>, nodeIds: string[]): Promise<Map<string, NodeAccess>> {
  const ids = [...new Set(nodeIds)];
  const metas = await batchGetAll(deps.db, ids.map((id) => keys.nodeMeta(id)), true);
  return resolveLoaded(deps, caller, principals, ids, metas);
}

async function resolveLoaded(
  deps: Deps,
  caller: Caller,
  principals: ReadonlySet<string>,
  ids: string[],
  metas: Record<string, unknown>[],
): Promise<Map<string, NodeAccess>> {
  const known = new Map<string, NodeMeta>(metas.map((m) => [m.nodeId as string, m as unknown as NodeMeta]));
  const wanted = new Set<string>();
  for (const m of known.values()) for (const a of m.path ?? []) if (!known.has(a)) wanted.add(a);
  if (wanted.size > 0) {
    for (const m of await batchGetAll(deps.db, [...wanted].map((id) => keys.nodeMeta(id)), true)) {
      known.set(m.nodeId as string, m as unknown as NodeMeta);
    }
  }
  const result = new Map<string, NodeAccess>();
  const now = deps.clock();
  for (const id of ids) {
    const node = known.get(id);
    if (!node || node.state !== 'active' || !metas.some((m) => m.nodeId === id)) continue;
    const ancestors = await loadAncestors(deps, node, known);
    if (!ancestors) continue;
    const scope = scopeOf(node, ancestors);
    const role = effectiveRole(scope, principals, now);
    if (role) result.set(id, makeAccess(node as NodeMeta & Record<string, unknown>, role, caller, principals, ancestors, scope, undefined));
  }
  return result;
}

/**
 * The verified ancestor chain, or undefined when an ancestor is gone or not active.
 * The chain is verified link by link on `parentId`, which a move writes atomically with the
 * moved node's own path: where an ancestor's parent is not the next id of the path read (a move
 * is propagating, and the stored path below the moved folder is stale), the walk continues from
 * that ancestor's own path with further reads. A stale path further up (several levels below a
 * moved folder) is replaced at the first broken link, so the walk converges in one extra round.
 */
export async function loadAncestors(deps: Deps, node: NodeMeta, known = new Map<string, NodeMeta>()): Promise<NodeMeta[] | undefined> {
  let path = node.path ?? [];
  if (node.parentId !== (path[0] as string | undefined)) path = node.parentId ? [node.parentId] : [];
  for (let round = 0; round <= MAX_ROUNDS; round++) {
    const missing = path.filter((id) => !known.has(id));
    if (missing.length > 0) {
      for (const m of await batchGetAll(deps.db, missing.map((id) => keys.nodeMeta(id)), true)) {
        known.set(m.nodeId as string, m as unknown as NodeMeta);
      }
    }
    let fresher: string[] | undefined;
    for (let i = 0; i < path.length; i++) {
      const ancestor = known.get(path[i]!);
      if (!ancestor || ancestor.state !== 'active' || ancestor.kind !== 'folder') return undefined;
      if (ancestor.parentId !== path[i + 1]) {
        const own = ancestor.path ?? [];
        const rest = ancestor.parentId === own[0] ? own : ancestor.parentId ? [ancestor.parentId] : [];
        fresher = [...path.slice(0, i + 1), ...rest];
        break;
      }
    }
    if (!fresher) return path.map((id) => known.get(id)!);
    if (new Set(fresher).size !== fresher.length) return undefined; // a cycle can only be a torn read: deny
    path = fresher;
  }
  throw new ServiceUnavailable('The folder tree is being changed: retry in a moment.');
}

/** The node, then ancestors up to and including the nearest limited one. */
export function scopeOf(node: NodeMeta, ancestors: NodeMeta[]): NodeMeta[] {
  const scope: NodeMeta[] = [node];
  if (node.limited) return scope;
  for (const a of ancestors) {
    scope.push(a);
    if (a.limited) break;
  }
  return scope;
}

/** The highest live level of any of the principals over the scope (inherited owner counts as manager). */
export function effectiveRole(scope: NodeMeta[], principals: ReadonlySet<string>, nowMs: number): Role | undefined {
  let best: Role | undefined;
  scope.forEach((n, i) => {
    for (const p of principals) {
      const entry = n.acl?.[p];
      if (entry && isLive(entry, nowMs)) best = higher(best, i === 0 ? entry.role : inherited(entry.role));
    }
  });
  return best;
}

/** Every principal with a live level over the scope: its highest level and where it comes from (nearest wins ties). */
export function effectiveEntries(scope: NodeMeta[], nowMs: number): AccessSource[] {
  const best = new Map<string, AccessSource>();
  scope.forEach((n, i) => {
    for (const [principalId, entry] of Object.entries(n.acl ?? {})) {
      if (!isLive(entry, nowMs)) continue;
      const role = i === 0 ? entry.role : inherited(entry.role);
      const current = best.get(principalId);
      if (current && higher(current.role, role) === current.role) continue;
      best.set(principalId, {
        principalId,
        role,
        fromNodeId: n.nodeId,
        inherited: i > 0,
        ...(entry.expiresAt ? { expiresAt: entry.expiresAt } : {}),
      });
    }
  });
  return [...best.values()];
}

function makeAccess(
  node: NodeMeta & Record<string, unknown>,
  role: Role,
  caller: Caller,
  principals: ReadonlySet<string>,
  ancestors: NodeMeta[],
  scope: NodeMeta[],
  ownGrant: GrantItem | undefined,
  principalSetRev?: number,
): NodeAccess {
  const context = { kind: caller.kind, editorsCanShare: node.settings?.editorsCanShare ?? true };
  const access: NodeAccess = {
    node,
    role,
    caller,
    principals,
    ancestors,
    scope,
    can: (capability) => {
      if (capability === 'delete' && caller.kind === 'guest') return node.ownerId === caller.userId && role === 'owner';
      return can(role, capability, context);
    },
    require: (capability) => {
      if (!access.can(capability)) throw forbidden(capability, caller);
    },
  };
  if (ownGrant) access.ownGrant = ownGrant;
  if (typeof principalSetRev === 'number') access.principalSetRev = principalSetRev;
  return access;
}

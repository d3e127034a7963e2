import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  TEST_KDF,
  encryptMetadata,
  fingerprint,
  fromBase64Url,
  generateDataKey,
  newKdfParams,
  generateGroupKeyPair,
  generateGroupSecret,
  sealGroupPrivateKey,
  toBase64Url,
  unwrapKey,
  wrapKey,
  wrapKeyUnderKey,
  type GroupKeyPair,
} from '../../shared/core/crypto/index.js';
import { commentField, newCommentId } from '../../shared/core/api/schemas/comments.js';
import { type Actor, newDocumentId, register, shareGrant } from '../helpers/actors.js';
import { chainLabel, childLabel, type DocumentHandle, type FolderHandle, folderBody, folderLabel, mkdir, olderKey, openKeyPath, uploadInto } from '../helpers/folders.js';
import { api, type ApiResponse } from '../helpers/http.js';
import { type LocalStack, startLocalStack } from '../helpers/localStack.js';
import { mapBounded } from '../../client/sdk/bounded.js';

/**
 * The authorization matrix (issue 3): every node route x every actor, and every group route x
 * every kind of group member, against the real local stack with real keys. The expected answer
 * of each cell is computed in ONE place (`expectedFor`, `expectedForGroup`) from two declarative
 * tables: what each route needs (ROUTES, GROUP_ROUTES) and what each actor holds (ACTORS,
 * GROUP_ACTORS), following docs/permissions.md. Allowed actions must succeed; refused ones must
 * answer 404 (the caller may not know the node exists) or 403 with the stable code (it can see
 * the node), and a refused write must leave every item it could touch exactly as it was.
 */

// ---------------------------------------------------------------------------------------
// The tables
// ---------------------------------------------------------------------------------------

type Level = 'viewer' | 'commenter' | 'editor' | 'manager' | 'owner';
/** D: a document in F; DL: a document in the limited folder L; F: a folder in R; L: a limited folder in F. */
type NodeName = 'D' | 'DL' | 'F' | 'L';
type ActorName =
  | 'owner'
  | 'manager'
  | 'editor'
  | 'commenter'
  | 'viewer'
  | 'groupMember'
  | 'nestedMember'
  | 'inherited'
  | 'limitedOutsider'
  | 'expired'
  | 'revoked'
  | 'removedGroupMember'
  | 'guest'
  | 'stranger';

interface ActorSpec {
  name: ActorName;
  userId: string;
  kind: 'member' | 'guest';
  /** The effective level on each node of the fixture; absent: none (the node must be invisible). */
  levels: Partial<Record<NodeName, Level>>;
  /** How the fixture gives it that (documentation only). */
  how: string;
}

/**
 * Who holds what. alice owns R > F > D, F > L (limited) > DL, R > M and L > LM (move destinations).
 * L's direct grantees: manager (manager), viewer (viewer), guest (editor).
 */
const ACTORS: readonly ActorSpec[] = [
  { name: 'owner', userId: 'alice', kind: 'member', levels: { D: 'owner', DL: 'owner', F: 'owner', L: 'owner' }, how: 'owns every node' },
  { name: 'manager', userId: 'manager', kind: 'member', levels: { D: 'manager', DL: 'manager', L: 'manager' }, how: 'manager on D and on L' },
  { name: 'editor', userId: 'editor', kind: 'member', levels: { D: 'editor' }, how: 'editor on D' },
  { name: 'commenter', userId: 'commenter', kind: 'member', levels: { D: 'commenter' }, how: 'commenter on D' },
  { name: 'viewer', userId: 'viewer', kind: 'member', levels: { D: 'viewer', DL: 'viewer', L: 'viewer' }, how: 'viewer on D and on L' },
  { name: 'groupMember', userId: 'group-member', kind: 'member', levels: { D: 'editor' }, how: 'in G1, G1 editor on D' },
  { name: 'nestedMember', userId: 'nested-member', kind: 'member', levels: { D: 'editor' }, how: 'in G2, G2 in G1' },
  { name: 'inherited', userId: 'inherited', kind: 'member', levels: { D: 'commenter', F: 'commenter' }, how: 'commenter on F' },
  { name: 'limitedOutsider', userId: 'limited-outsider', kind: 'member', levels: { D: 'editor', F: 'editor' }, how: 'editor on R' },
  { name: 'expired', userId: 'expired', kind: 'member', levels: {}, how: 'viewer on D, expired' },
  { name: 'revoked', userId: 'revoked', kind: 'member', levels: {}, how: 'viewer on D, revoked' },
  { name: 'removedGroupMember', userId: 'removed-member', kind: 'member', levels: {}, how: 'was in G1, removed' },
  { name: 'guest', userId: 'guest', kind: 'guest', levels: { D: 'editor', DL: 'editor', L: 'editor' }, how: 'guest, editor on D and on L' },
  { name: 'stranger', userId: 'stranger', kind: 'member', levels: {}, how: 'nothing' },
];

/**
 * Capabilities (docs/permissions.md), plus two the contract states apart: `permissions`, reading the
 * permissions list (any level, never a guest), and `moveToRoot`, moving a node to the top level (its
 * owner only, never a guest).
 */
type Cap = 'view' | 'download' | 'comment' | 'edit' | 'share' | 'manage' | 'delete' | 'transfer' | 'settings' | 'permissions' | 'moveToRoot';
const CAPABILITY_ORDER: readonly Cap[] = ['view', 'download', 'comment', 'edit', 'share', 'manage', 'delete', 'transfer', 'settings'];
const RANK: Record<Level, number> = { viewer: 1, commenter: 2, editor: 3, manager: 4, owner: 5 };
const MINIMUM: Record<Cap, Level> = {
  view: 'viewer',
  download: 'viewer',
  permissions: 'viewer',
  comment: 'commenter',
  edit: 'editor',
  share: 'manager', // and editors while editorsCanShare is on
  manage: 'manager',
  delete: 'owner',
  transfer: 'owner',
  settings: 'owner',
  moveToRoot: 'owner',
};
/** Guests never do these, whatever their level. */
const GUEST_NEVER: ReadonlySet<Cap> = new Set(['share', 'manage', 'transfer', 'settings', 'permissions', 'moveToRoot']);
const REFUSAL: Record<Cap, string> = {
  view: 'CANNOT_VIEW',
  download: 'CANNOT_VIEW',
  permissions: 'CANNOT_VIEW',
  comment: 'CANNOT_COMMENT',
  edit: 'CANNOT_EDIT',
  share: 'CANNOT_SHARE',
  manage: 'CANNOT_MANAGE',
  delete: 'NOT_OWNER',
  transfer: 'NOT_OWNER',
  settings: 'NOT_OWNER',
  moveToRoot: 'NOT_OWNER',
};

/** THE rule: may an actor of this kind, at this level, do this (on a node whose "editors may share" is as given)? */
function allows(kind: ActorSpec['kind'], level: Level | undefined, cap: Cap, editorsCanShare = true): boolean {
  if (!level) return false;
  if (kind === 'guest' && GUEST_NEVER.has(cap)) return false;
  if (cap === 'share' && level === 'editor') return editorsCanShare;
  return RANK[level] >= RANK[MINIMUM[cap]];
}

function capabilitiesOf(kind: ActorSpec['kind'], level: Level | undefined, editorsCanShare = true): Cap[] {
  return CAPABILITY_ORDER.filter((c) => allows(kind, level, c, editorsCanShare));
}

interface Expected {
  status: number;
  code?: string;
}

/** The highest level an actor may hand out or take away: managers up to manager, editors who may share up to editor. */
function grantableUpTo(kind: ActorSpec['kind'], level: Level, editorsCanShare: boolean): Level | undefined {
  if (!allows(kind, level, 'share', editorsCanShare)) return undefined;
  return RANK[level] >= RANK.manager ? 'manager' : 'editor';
}

/**
 * THE expected answer of a cell, in the order the contract states the checks:
 * 0. a route that hides every refusal (resumeUpload) -> its one 404;
 * 1. no level on the node -> 404 (the caller may not know it exists);
 * 2. missing a capability the route needs (in the route's order) -> 403 with that capability's code;
 * 3. a level handed out above what the caller may grant -> 403 LEVEL_TOO_HIGH; the owner's grant -> 403 CANNOT_REVOKE_OWNER;
 * 4. a move: no level on the destination -> 404, no `edit` there -> 403 CANNOT_EDIT;
 * else the route's success.
 */
function expectedFor(route: RouteSpec, actor: ActorSpec, node: NodeName): Expected {
  const level = actor.levels[node];
  const editorsCanShare = !route.sharingOff;
  const missing = route.caps.find((cap) => !allows(actor.kind, level, cap, editorsCanShare));
  if (route.hidden && (!level || missing)) return { status: 404, code: route.hidden };
  if (!level) return { status: 404, code: route.notFound };
  if (missing) {
    if (route.refusal) return { status: 403, code: route.refusal };
    if (actor.kind === 'guest' && GUEST_NEVER.has(missing)) return { status: 403, code: 'GUEST_FORBIDDEN' };
    return { status: 403, code: REFUSAL[missing] };
  }
  if (route.grantLevel) {
    const upTo = grantableUpTo(actor.kind, level, editorsCanShare);
    if (!upTo || RANK[route.grantLevel] > RANK[upTo]) return { status: 403, code: 'LEVEL_TOO_HIGH' };
  }
  if (route.targetsOwner) return { status: 403, code: 'CANNOT_REVOKE_OWNER' };
  if (route.destination) {
    const there = actor.levels[route.destination[node]!];
    if (!there) return { status: 404, code: 'NODE_NOT_FOUND' };
    if (!allows(actor.kind, there, 'edit')) return { status: 403, code: 'CANNOT_EDIT' };
  }
  return { status: route.ok };
}

// ---------------------------------------------------------------------------------------
// The fixture
// ---------------------------------------------------------------------------------------

interface Tree {
  R: FolderHandle;
  F: FolderHandle;
  /** At generation 2 (made limited). */
  L: FolderHandle;
  /** In R: where D moves. */
  M: FolderHandle;
  /** In L: where DL moves. */
  LM: FolderHandle;
  D: DocumentHandle;
  DL: DocumentHandle;
  /** `own:<node>:<actor>` a comment by the actor; `foreign:<node>:<actor>` one by someone else (main fixture only). */
  comments: Map<string, string>;
}

const DOCUMENT_OF = { D: 'D', DL: 'DL' } as const;
const PARENT_OF: Record<NodeName, 'F' | 'L' | 'R'> = { D: 'F', DL: 'L', F: 'R', L: 'F' };
/** Where each document moves: a folder every actor with a level on it can edit (M is shared at editor with all of them)... */
const DESTINATION_OF = { D: 'M', DL: 'LM' } as const;
/** ...and across the limited boundary: D into the limited L, DL out of it into F. */
const ACROSS_OF = { D: 'L', DL: 'F' } as const;
/** Each folder's children in the fixture, with the node whose level the child has. */
const CHILDREN_OF: Record<'F' | 'L', { child: keyof Tree; levelOf: NodeName }[]> = {
  F: [
    { child: 'D', levelOf: 'D' },
    { child: 'L', levelOf: 'L' },
  ],
  L: [
    { child: 'DL', levelOf: 'DL' },
    { child: 'LM', levelOf: 'L' },
  ],
};

function idOf(t: Tree, node: NodeName | 'R' | 'M' | 'LM'): string {
  const h = t[node];
  return 'documentId' in h ? h.documentId : h.folderId;
}

// ---------------------------------------------------------------------------------------
// The routes
// ---------------------------------------------------------------------------------------

interface Ctx {
  t: Tree;
  who: Actor;
  actor: ActorSpec;
  node: NodeName;
  id: string;
  label: string;
}

interface Req {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  path: string;
  body?: unknown;
  /** Partitions (pk) this request could write besides the node's and its parent's. */
  touches?: string[];
}

interface RouteSpec {
  label: string;
  on: readonly NodeName[];
  /** What the route needs, in the order the server checks. */
  caps: readonly Cap[];
  notFound: 'DOCUMENT_NOT_FOUND' | 'FOLDER_NOT_FOUND' | 'NODE_NOT_FOUND' | 'LINK_NOT_FOUND';
  ok: number;
  /** A refused call must leave the registry as it was. */
  writes: boolean;
  /** Writes nothing even when allowed (a dry run): checked for every cell. */
  neverWrites?: boolean;
  /** An allowed call runs on its own fixture (it would change what other cells see). */
  fresh?: boolean;
  /** The 403 code when it differs from the capability's. */
  refusal?: string;
  /** Every refusal is this 404, whether or not the caller can see the node (the route reveals nothing). */
  hidden?: string;
  /** Runs on fixtures whose owner turned "editors may share" off (on by default everywhere else). */
  sharingOff?: boolean;
  /** The level the call hands out (share) or sets (change): at most what the caller may grant. */
  grantLevel?: Level;
  /** The call changes or takes away the owner's own grant: never allowed. */
  targetsOwner?: boolean;
  /** A move into this node of the fixture: `edit` needed there too. */
  destination?: Partial<Record<NodeName, NodeName>>;
  request(c: Ctx): Promise<Req>;
  /** More assertions on an allowed call. */
  check?(c: Ctx, res: ApiResponse): Promise<void>;
}

const DOCS = ['D', 'DL'] as const;
const FOLDERS = ['F', 'L'] as const;
const text = (s: string) => new TextEncoder().encode(s);

/** Sharing with a recipient at a level: on the usual nodes, and on nodes whose owner turned "editors may share" off. */
const shareRoute = (sharingOff: boolean, grantLevel: Level = 'viewer'): RouteSpec => ({
  label: `POST /nodes/{id}/share (recipient at ${grantLevel}${sharingOff ? ', editors may not share' : ''})`,
  sharingOff,
  grantLevel,
  on: DOCS,
  caps: ['share'],
  notFound: 'NODE_NOT_FOUND',
  ok: 200,
  writes: true,
  fresh: true,
  request: async (c) => {
    const doc = c.t[DOCUMENT_OF[c.node as 'D']];
    return { method: 'POST', path: `/nodes/${c.id}/share`, body: { keyGeneration: 1, grants: [await shareGrant(user('recipient'), c.id, doc.dek, grantLevel)] } };
  },
  check: async (c, res) => {
    expect(res.body.sharedWith, c.label).toEqual(['u:recipient']);
    expect((await as(user('recipient'), 'GET', `/documents/${c.id}`)).body.role, c.label).toBe(grantLevel);
  },
});

const ROUTES: readonly RouteSpec[] = [
  {
    label: 'GET /documents/{id}',
    on: DOCS,
    caps: ['download'],
    notFound: 'DOCUMENT_NOT_FOUND',
    ok: 200,
    writes: false,
    request: async (c) => ({ method: 'GET', path: `/documents/${c.id}` }),
    check: async (c, res) => {
      expect(res.body.role, c.label).toBe(c.actor.levels[c.node]);
      expect(res.body.capabilities, c.label).toEqual(capabilitiesOf(c.actor.kind, c.actor.levels[c.node]));
      // Real crypto: the key path the server gave opens exactly this document's key.
      const { entry } = res.body.keyPath;
      const holder = entry.principalId.startsWith('g:') ? groupsById.get(entry.principalId.slice(2))!.pairs.get(entry.principalKeyGeneration)! : c.who;
      expect(entry.principalId === `u:${c.who.userId}` || entry.principalId === `g:${G1.groupId}`, c.label).toBe(true);
      expect(await openKeyPath(holder as Actor, { nodeId: c.id, kind: 'document' }, res.body.keyPath), c.label).toEqual(c.t[DOCUMENT_OF[c.node as 'D']].dek);
    },
  },
  {
    label: 'GET /nodes/{id}',
    on: DOCS,
    caps: ['view'],
    notFound: 'NODE_NOT_FOUND',
    ok: 200,
    writes: false,
    request: async (c) => ({ method: 'GET', path: `/nodes/${c.id}` }),
    check: async (c, res) => {
      expect([res.body.nodeId, res.body.role], c.label).toEqual([c.id, c.actor.levels[c.node]]);
      expect(res.body.capabilities, c.label).toEqual(capabilitiesOf(c.actor.kind, c.actor.levels[c.node]));
    },
  },
  {
    label: 'GET /nodes/{id}/permissions',
    on: DOCS,
    caps: ['permissions'],
    notFound: 'NODE_NOT_FOUND',
    ok: 200,
    writes: false,
    request: async (c) => ({ method: 'GET', path: `/nodes/${c.id}/permissions` }),
    check: async (c, res) => {
      expect(res.body.nodeId, c.label).toBe(c.id);
      expect(res.body.entries, c.label).toContainEqual(expect.objectContaining({ principalId: 'u:alice', role: 'owner', source: 'direct' }));
    },
  },
  {
    label: 'GET /documents/{id}/comments',
    on: DOCS,
    caps: ['view'],
    notFound: 'DOCUMENT_NOT_FOUND',
    ok: 200,
    writes: false,
    request: async (c) => ({ method: 'GET', path: `/documents/${c.id}/comments?limit=100` }),
    check: async (c, res) => {
      expect(res.body.comments.length, c.label).toBeGreaterThan(0);
    },
  },
  {
    label: 'POST /documents/{id}/comments',
    on: DOCS,
    caps: ['comment'],
    notFound: 'DOCUMENT_NOT_FOUND',
    ok: 201,
    writes: true,
    request: async (c) => ({ method: 'POST', path: `/documents/${c.id}/comments`, body: await commentBody(c.t[DOCUMENT_OF[c.node as 'D']], `by ${c.actor.name}`) }),
    check: async (c, res) => {
      expect([res.body.documentId, res.body.authorId], c.label).toEqual([c.id, c.who.userId]);
    },
  },
  {
    label: 'DELETE /documents/{id}/comments/{own comment}',
    on: DOCS,
    caps: ['comment'],
    notFound: 'DOCUMENT_NOT_FOUND',
    ok: 204,
    writes: true,
    request: async (c) => {
      const commentId = c.t.comments.get(`own:${c.node}:${c.actor.name}`) ?? c.t.comments.get(`foreign:${c.node}:${c.actor.name}`)!;
      return { method: 'DELETE', path: `/documents/${c.id}/comments/${commentId}` };
    },
    check: async (c) => {
      const commentId = c.t.comments.get(`own:${c.node}:${c.actor.name}`)!;
      expect((await partition(`NODE#${c.id}`)).some((i) => i.sk === `COMMENT#${commentId}`), c.label).toBe(false);
    },
  },
  {
    label: "DELETE /documents/{id}/comments/{someone else's comment}",
    on: DOCS,
    caps: ['manage'],
    refusal: 'NOT_COMMENT_AUTHOR',
    notFound: 'DOCUMENT_NOT_FOUND',
    ok: 204,
    writes: true,
    request: async (c) => ({ method: 'DELETE', path: `/documents/${c.id}/comments/${c.t.comments.get(`foreign:${c.node}:${c.actor.name}`)}` }),
  },
  shareRoute(false),
  shareRoute(true),
  shareRoute(false, 'manager'),
  {
    label: 'POST /nodes/{id}/revoke (a viewer grant)',
    on: DOCS,
    caps: ['manage'],
    notFound: 'NODE_NOT_FOUND',
    ok: 200,
    writes: true,
    fresh: true,
    request: async (c) => ({ method: 'POST', path: `/nodes/${c.id}/revoke`, body: { principalIds: ['u:spare'] } }),
    check: async (c) => {
      expect((await as(user('spare'), 'GET', `/documents/${c.id}`)).status, c.label).toBe(404);
    },
  },
  {
    label: 'PUT /nodes/{id}/grants/{p} (viewer to commenter)',
    on: DOCS,
    caps: ['manage'],
    notFound: 'NODE_NOT_FOUND',
    ok: 200,
    writes: true,
    fresh: true,
    request: async (c) => ({ method: 'PUT', path: `/nodes/${c.id}/grants/u:spare`, body: { role: 'commenter' } }),
    check: async (c) => {
      expect((await as(user('spare'), 'GET', `/nodes/${c.id}`)).body.role, c.label).toBe('commenter');
    },
  },
  {
    label: "PUT /nodes/{id}/grants/{p} (the owner's grant)",
    on: DOCS,
    caps: ['manage'],
    targetsOwner: true,
    notFound: 'NODE_NOT_FOUND',
    ok: 200,
    writes: true,
    request: async (c) => ({ method: 'PUT', path: `/nodes/${c.id}/grants/u:alice`, body: { role: 'viewer' } }),
  },
  {
    label: "POST /nodes/{id}/revoke (the owner's grant)",
    on: DOCS,
    caps: ['manage'],
    targetsOwner: true,
    notFound: 'NODE_NOT_FOUND',
    ok: 200,
    writes: true,
    request: async (c) => ({ method: 'POST', path: `/nodes/${c.id}/revoke`, body: { principalIds: ['u:alice'] } }),
  },
  {
    label: 'PUT /nodes/{id}/settings',
    on: DOCS,
    caps: ['settings'],
    notFound: 'NODE_NOT_FOUND',
    ok: 200,
    writes: true,
    fresh: true,
    request: async (c) => ({ method: 'PUT', path: `/nodes/${c.id}/settings`, body: { editorsCanShare: false } }),
    check: async (c) => {
      expect((await as(user('alice'), 'GET', `/nodes/${c.id}`)).body.settings, c.label).toEqual({ editorsCanShare: false });
    },
  },
  {
    label: 'POST /nodes/{id}/transfer (to a direct grantee)',
    on: DOCS,
    caps: ['transfer'],
    notFound: 'NODE_NOT_FOUND',
    ok: 200,
    writes: true,
    fresh: true,
    request: async (c) => ({ method: 'POST', path: `/nodes/${c.id}/transfer`, body: { newOwnerId: 'spare' } }),
    check: async (c) => {
      const node = await as(user('alice'), 'GET', `/nodes/${c.id}`);
      expect([node.body.ownerId, node.body.role], c.label).toEqual(['spare', 'manager']);
    },
  },
  {
    label: 'PUT /nodes/{id}/name',
    on: DOCS,
    caps: ['edit'],
    notFound: 'NODE_NOT_FOUND',
    ok: 200,
    writes: true,
    request: async (c) => {
      const doc = c.t[DOCUMENT_OF[c.node as 'D']];
      return { method: 'PUT', path: `/nodes/${c.id}/name`, body: { encryptedName: await encryptMetadata(doc.dek, c.id, 'name', `renamed by ${c.actor.name}`), keyGeneration: 1 } };
    },
    check: async (c, res) => {
      expect(res.body, c.label).toEqual({ nodeId: c.id, keyGeneration: 1 });
    },
  },
  {
    label: 'POST /nodes/{id}/move (dry run)',
    on: DOCS,
    caps: ['edit'],
    notFound: 'NODE_NOT_FOUND',
    ok: 200,
    writes: true,
    neverWrites: true,
    request: async (c) => {
      const dest = idOf(c.t, DESTINATION_OF[c.node as 'D']);
      return { method: 'POST', path: `/nodes/${c.id}/move`, body: { parentId: dest, dryRun: true }, touches: [`NODE#${dest}`] };
    },
    check: async (c, res) => {
      expect([res.body.nodeId, res.body.dryRun], c.label).toEqual([c.id, true]);
    },
  },
  {
    label: 'POST /nodes/{id}/move to the root (dry run)',
    on: DOCS,
    caps: ['edit', 'moveToRoot'],
    notFound: 'NODE_NOT_FOUND',
    ok: 200,
    writes: true,
    neverWrites: true,
    request: async (c) => ({ method: 'POST', path: `/nodes/${c.id}/move`, body: { parentId: null, dryRun: true } }),
    check: async (c, res) => {
      expect([res.body.nodeId, res.body.parentId, res.body.dryRun], c.label).toEqual([c.id, null, true]);
    },
  },
  {
    label: 'POST /nodes/{id}/move across the limited boundary (dry run: D into L, DL into F)',
    on: DOCS,
    caps: ['edit'],
    destination: ACROSS_OF,
    notFound: 'NODE_NOT_FOUND',
    ok: 200,
    writes: true,
    neverWrites: true,
    request: async (c) => {
      const dest = idOf(c.t, ACROSS_OF[c.node as 'D']);
      return { method: 'POST', path: `/nodes/${c.id}/move`, body: { parentId: dest, dryRun: true }, touches: [`NODE#${dest}`] };
    },
    check: async (c, res) => {
      expect([res.body.nodeId, res.body.dryRun], c.label).toEqual([c.id, true]);
    },
  },
  {
    label: 'POST /nodes/{id}/move (real)',
    on: DOCS,
    caps: ['edit'],
    notFound: 'NODE_NOT_FOUND',
    ok: 200,
    writes: true,
    fresh: true,
    request: async (c) => {
      const doc = c.t[DOCUMENT_OF[c.node as 'D']];
      const dest = c.t[DESTINATION_OF[c.node as 'D']];
      return {
        method: 'POST',
        path: `/nodes/${c.id}/move`,
        body: {
          parentId: dest.folderId,
          parentWrap: await wrapKeyUnderKey(dest.key, doc.dek, childLabel(c.id, 1, dest.folderId, dest.generation)),
          parentKeyGeneration: dest.generation,
        },
        touches: [`NODE#${dest.folderId}`],
      };
    },
    check: async (c) => {
      const dest = idOf(c.t, DESTINATION_OF[c.node as 'D']);
      expect((await as(user('alice'), 'GET', `/nodes/${c.id}`)).body.parentId, c.label).toBe(dest);
      expect((await as(c.who, 'GET', `/documents/${c.id}`)).status, c.label).toBe(200);
    },
  },
  {
    label: 'DELETE /documents/{id}',
    on: DOCS,
    caps: ['delete'],
    notFound: 'DOCUMENT_NOT_FOUND',
    ok: 204,
    writes: true,
    fresh: true,
    request: async (c) => ({ method: 'DELETE', path: `/documents/${c.id}` }),
    check: async (c) => {
      expect((await as(user('alice'), 'GET', `/documents/${c.id}`)).status, c.label).toBe(404);
    },
  },
  {
    label: 'GET /folders/{id}',
    on: FOLDERS,
    caps: ['view'],
    notFound: 'FOLDER_NOT_FOUND',
    ok: 200,
    writes: false,
    request: async (c) => ({ method: 'GET', path: `/folders/${c.id}` }),
    check: async (c, res) => {
      expect([res.body.folderId, res.body.role, res.body.limited], c.label).toEqual([c.id, c.actor.levels[c.node], c.node === 'L']);
      expect(res.body.capabilities, c.label).toEqual(capabilitiesOf(c.actor.kind, c.actor.levels[c.node]));
    },
  },
  {
    label: 'GET /folders/{id}/children',
    on: FOLDERS,
    caps: ['view'],
    notFound: 'FOLDER_NOT_FOUND',
    ok: 200,
    writes: false,
    request: async (c) => ({ method: 'GET', path: `/folders/${c.id}/children?limit=100` }),
    check: async (c, res) => {
      // Only the children the actor has a level on (a limited child it is not in stays out), each at that level.
      const expected = CHILDREN_OF[c.node as 'F']
        .filter((x) => c.actor.levels[x.levelOf])
        .map((x) => `${idOf(c.t, x.child as NodeName)}:${c.actor.levels[x.levelOf]}`)
        .sort();
      const listed = (res.body.children as { nodeId: string; role: string }[]).map((x) => `${x.nodeId}:${x.role}`).sort();
      expect(listed, c.label).toEqual(expected);
    },
  },
  {
    label: 'POST /folders (in the folder)',
    on: FOLDERS,
    caps: ['edit'],
    notFound: 'FOLDER_NOT_FOUND',
    ok: 201,
    writes: true,
    fresh: true,
    request: async (c) => {
      const { body } = await folderBody(c.who, `new by ${c.actor.name}`, c.t[c.node as 'F']);
      return { method: 'POST', path: '/folders', body, touches: [`NODE#${body.folderId}`] };
    },
    check: async (c, res) => {
      const got = await as(c.who, 'GET', `/folders/${res.body.folderId}`);
      expect([got.body.parentId, got.body.role], c.label).toEqual([c.id, 'owner']);
      // Its creator owns it, and may delete it (a guest too: guests delete what they own).
      expect((await as(c.who, 'DELETE', `/folders/${res.body.folderId}`)).status, c.label).toBe(200);
    },
  },
  {
    label: 'POST /documents (in the folder)',
    on: FOLDERS,
    caps: ['edit'],
    notFound: 'FOLDER_NOT_FOUND',
    ok: 201,
    writes: true,
    fresh: true,
    request: async (c) => {
      const body = await documentBody(c.who, c.t[c.node as 'F']);
      return { method: 'POST', path: '/documents', body, touches: [`NODE#${body.documentId}`] };
    },
    check: async (c, res) => {
      expect(res.body.upload?.url, c.label).toBeDefined();
    },
  },
  {
    label: 'POST /folders/{id}/limit (F: on; L: off)',
    on: FOLDERS,
    caps: ['manage'],
    notFound: 'FOLDER_NOT_FOUND',
    ok: 200,
    writes: true,
    fresh: true,
    request: async (c) => ({ method: 'POST', path: `/folders/${c.id}/limit`, body: await limitToggleBody(c.t, c.node as 'F') }),
    check: async (c, res) => {
      expect(res.body.limited, c.label).toBe(c.node === 'F');
      // Limiting F shuts out limitedOutsider (editor on R); unlimiting L lets inherited (commenter on F) in.
      if (c.node === 'F') expect((await as(user('limited-outsider'), 'GET', `/folders/${c.id}`)).status, c.label).toBe(404);
      else expect((await as(user('inherited'), 'GET', `/folders/${c.id}`)).body.role, c.label).toBe('commenter');
    },
  },
  {
    label: 'DELETE /folders/{id}',
    on: FOLDERS,
    caps: ['delete'],
    notFound: 'FOLDER_NOT_FOUND',
    ok: 200,
    writes: true,
    fresh: true,
    request: async (c) => ({ method: 'DELETE', path: `/folders/${c.id}` }),
    check: async (c, res) => {
      expect(res.body.deletedDocuments, c.label).toBeGreaterThanOrEqual(1);
      expect((await as(user('alice'), 'GET', `/folders/${c.id}`)).status, c.label).toBe(404);
    },
  },
  {
    label: 'GET /documents/{id}/versions',
    on: DOCS,
    caps: ['download'],
    notFound: 'DOCUMENT_NOT_FOUND',
    ok: 200,
    writes: false,
    request: async (c) => ({ method: 'GET', path: `/documents/${c.id}/versions` }),
    check: async (c, res) => {
      // Alice's pending version 2 is not listed.
      expect(res.body.versions.map((v: { version: number; current: boolean }) => [v.version, v.current]), c.label).toEqual([[1, true]]);
    },
  },
  {
    label: 'GET /documents/{id}/versions/1',
    on: DOCS,
    caps: ['download'],
    notFound: 'DOCUMENT_NOT_FOUND',
    ok: 200,
    writes: false,
    request: async (c) => ({ method: 'GET', path: `/documents/${c.id}/versions/1` }),
    check: async (c, res) => {
      expect([res.body.documentId, res.body.version, res.body.role, res.body.keyChain], c.label).toEqual([c.id, 1, c.actor.levels[c.node], {}]);
      expect(await openKeyPath(keyHolder(c, res), { nodeId: c.id, kind: 'document' }, res.body.keyPath), c.label).toEqual(c.t[DOCUMENT_OF[c.node as 'D']].dek);
    },
  },
  {
    label: 'POST /documents/{id}/versions',
    on: DOCS,
    caps: ['edit'],
    notFound: 'DOCUMENT_NOT_FOUND',
    ok: 201,
    writes: true,
    fresh: true,
    request: async (c) => ({ method: 'POST', path: `/documents/${c.id}/versions`, body: { size: VERSION_SIZE, keyGeneration: 1 } }),
    check: async (c, res) => {
      expect([res.body.documentId, res.body.version, res.body.keyGeneration, res.body.upload.kind], c.label).toEqual([c.id, 2, 1, 'single']);
    },
  },
  {
    label: 'POST /documents/{id}/versions/{version}/complete (its own upload)',
    on: DOCS,
    caps: ['edit'],
    notFound: 'DOCUMENT_NOT_FOUND',
    ok: 200,
    writes: true,
    fresh: true,
    request: async (c) => {
      // Allowed: the actor's own upload, sent. Refused: alice's pending version 2 (the check comes first).
      const version = allows(c.actor.kind, c.actor.levels[c.node], 'edit') ? await sentVersion(c) : 2;
      return { method: 'POST', path: `/documents/${c.id}/versions/${version}/complete`, body: {} };
    },
    check: async (c, res) => {
      expect([res.body.version, res.body.createdBy, res.body.current], c.label).toEqual([2, c.who.userId, true]);
      expect((await as(user('alice'), 'GET', `/documents/${c.id}`)).body.version, c.label).toBe(2);
    },
  },
  {
    label: 'GET /documents/{id}/versions/{version}/upload (its own upload; else alice’s)',
    on: DOCS,
    caps: ['edit'],
    hidden: 'UPLOAD_NOT_FOUND',
    notFound: 'DOCUMENT_NOT_FOUND',
    ok: 200,
    writes: false,
    fresh: true,
    request: async (c) => {
      const version = allows(c.actor.kind, c.actor.levels[c.node], 'edit') ? (await reserveAs(c.who, c.id)).body.version : 2;
      return { method: 'GET', path: `/documents/${c.id}/versions/${version}/upload` };
    },
    check: async (c, res) => {
      expect([res.body.version, res.body.kind, res.body.stored, res.body.parts.length], c.label).toEqual([2, 'single', [], 1]);
    },
  },
  {
    label: 'POST /documents/{id}/rotate',
    on: DOCS,
    caps: ['manage'],
    notFound: 'DOCUMENT_NOT_FOUND',
    ok: 200,
    writes: true,
    fresh: true,
    request: async (c) => ({ method: 'POST', path: `/documents/${c.id}/rotate`, body: await rotateBody(c), touches: [`NODE#${idOf(c.t, PARENT_OF[c.node])}`] }),
    check: async (c, res) => {
      expect(res.body, c.label).toEqual({ documentId: c.id, keyGeneration: 2, staleLinks: 0 });
      // Every direct grantee opens the new key from its re-wrapped grant; readers through the folder from the new parent wrap.
      // The current version is still under generation 1: the chain leads down to it.
      for (const reader of [user('spare'), ...(c.node === 'D' ? [user('inherited')] : [])]) {
        const got = await must(as(reader, 'GET', `/documents/${c.id}`), 200, `${c.label}: read as ${reader.userId}`);
        expect([got.body.version, got.body.keyGeneration, Object.keys(got.body.keyChain)], c.label).toEqual([1, 1, ['1']]);
        expect(await openKeyPath(reader, { nodeId: c.id, kind: 'document' }, got.body.keyPath), c.label).toEqual(rotatedKeys.get(c.id));
        expect(await olderKey(rotatedKeys.get(c.id)!, c.id, 2, 1, got.body.keyChain), c.label).toEqual(c.t[DOCUMENT_OF[c.node as 'D']].dek);
      }
    },
  },
  {
    label: 'PUT /nodes/{id}/settings (keepVersions)',
    on: DOCS,
    caps: ['settings'],
    notFound: 'NODE_NOT_FOUND',
    ok: 200,
    writes: true,
    fresh: true,
    request: async (c) => ({ method: 'PUT', path: `/nodes/${c.id}/settings`, body: { keepVersions: 3 } }),
    check: async (c, res) => {
      expect(res.body.settings, c.label).toEqual({ editorsCanShare: true, keepVersions: 3 });
    },
  },
  {
    label: 'POST /nodes/{id}/links',
    on: [...DOCS, ...FOLDERS],
    caps: ['share'],
    notFound: 'NODE_NOT_FOUND',
    ok: 201,
    writes: true,
    request: async (c) => ({ method: 'POST', path: `/nodes/${c.id}/links`, body: { wrappedKey: randomWrap(), keyGeneration: generationOf(c.t, c.node) } }),
    check: async (c, res) => {
      expect(res.body.token, c.label).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect([res.body.link.nodeId, res.body.link.createdBy, res.body.link.state], c.label).toEqual([c.id, c.who.userId, 'active']);
    },
  },
  {
    label: 'GET /nodes/{id}/links',
    on: [...DOCS, ...FOLDERS],
    caps: ['share'],
    notFound: 'NODE_NOT_FOUND',
    ok: 200,
    writes: false,
    request: async (c) => ({ method: 'GET', path: `/nodes/${c.id}/links?limit=100` }),
    check: async (c, res) => {
      expect(Array.isArray(res.body.links), c.label).toBe(true);
      expect(JSON.stringify(res.body), c.label).not.toMatch(/token|verifier/);
    },
  },
  {
    label: "DELETE /links/{linkId} (the owner's link)",
    on: [...DOCS, ...FOLDERS],
    caps: ['manage'],
    notFound: 'LINK_NOT_FOUND',
    ok: 200,
    writes: true,
    request: async (c) => {
      const made = await must(
        as(user('alice'), 'POST', `/nodes/${c.id}/links`, { wrappedKey: randomWrap(), keyGeneration: generationOf(c.t, c.node) }),
        201,
        `link on ${c.node}`,
      );
      const linkId = made.body.link.linkId as string;
      return { method: 'DELETE', path: `/links/${linkId}`, touches: [`LINK#${linkId}`] };
    },
    check: async (c, res) => {
      expect(res.body.revoked, c.label).toBe(true);
      expect(await partition(`LINK#${res.body.linkId}`), c.label).toEqual([]);
    },
  },
];

/** A wrap of the link's shape: the server never opens it. */
const randomWrap = () => toBase64Url(crypto.getRandomValues(new Uint8Array(61)));
/** The node's current key generation in a fixture (L was limited: generation 2). */
const generationOf = (t: Tree, node: NodeName) => {
  const h = t[node];
  return 'generation' in h ? h.generation : 1;
};

/** Declared ciphertext size of the versions the matrix uploads (the server never reads the bytes). */
const VERSION_SIZE = 100;

/** POST /documents/{id}/versions as `who` at generation 1; throws unless 201. */
const reserveAs = (who: Actor, documentId: string) =>
  must(as(who, 'POST', `/documents/${documentId}/versions`, { size: VERSION_SIZE, keyGeneration: 1 }), 201, `reserve a version of ${documentId} as ${who.userId}`);

/** The actor's own version, reserved and its bytes sent: what completion checks. */
async function sentVersion(c: Ctx): Promise<number> {
  const reserved = await reserveAs(c.who, c.id);
  const put = await fetch(reserved.body.upload.url, { method: 'PUT', body: Buffer.from(crypto.getRandomValues(new Uint8Array(VERSION_SIZE))) });
  if (!put.ok) throw new Error(`${c.label}: PUT ${put.status}`);
  return reserved.body.version;
}

/** Whose private key opens a key path's entry: the caller's, or a group's at the generation wrapped for. */
function keyHolder(c: Ctx, res: ApiResponse): Actor {
  const { entry } = res.body.keyPath;
  return (entry.principalId.startsWith('g:') ? groupsById.get(entry.principalId.slice(2))!.pairs.get(entry.principalKeyGeneration)! : c.who) as Actor;
}

/** The new key of each document rotated by an allowed cell. */
const rotatedKeys = new Map<string, Uint8Array>();

/**
 * The body of POST /documents/{id}/rotate: a new key for exactly the document's live direct grantees
 * (read from its grant items), the old key chained, the name again, and the new key under its
 * folder's current key (F for D, the limited L for DL).
 */
async function rotateBody(c: Ctx) {
  const doc = c.t[DOCUMENT_OF[c.node as 'D']];
  const folder = c.t[PARENT_OF[c.node] as 'F' | 'L'];
  const key = generateDataKey();
  rotatedKeys.set(c.id, key);
  const items = await partition(`NODE#${c.id}`);
  const nowIso = new Date(now()).toISOString();
  const grantees = items
    .filter((i) => String(i.sk).startsWith('GRANT#') && !(typeof i.grantExpiresAt === 'string' && i.grantExpiresAt <= nowIso))
    .map((i) => i.principalId as string);
  return {
    keyGeneration: 2,
    chainWrap: await wrapKeyUnderKey(key, doc.dek, chainLabel(c.id, 1)),
    encryptedName: await encryptMetadata(key, c.id, 'name', 'rotated'),
    grants: await Promise.all(
      grantees.map(async (principalId) => {
        const { publicKey, fingerprint: fp } = await keyOf(principalId);
        const g = principalId.startsWith('g:') ? groupsById.get(principalId.slice(2))! : undefined;
        return {
          principalId,
          wrappedKey: toBase64Url(await wrapKey(publicKey, key, { kind: 'dek', resourceId: c.id, generation: 2, recipientId: principalId })),
          fingerprint: fp,
          ...(g ? { principalKeyGeneration: g.gen } : {}),
        };
      }),
    ),
    parentWrap: await wrapKeyUnderKey(folder.key, key, childLabel(c.id, 2, folder.folderId, folder.generation)),
    parentKeyGeneration: folder.generation,
  };
}

interface Cell {
  key: string;
  label: string;
  route: RouteSpec;
  node: NodeName;
  actor: ActorSpec;
  expected: Expected;
}

const describeExpected = (e: Expected) => (e.code ? `${e.status} ${e.code}` : `${e.status}`);

const CELLS: Cell[] = ROUTES.flatMap((route) =>
  route.on.flatMap((node) =>
    ACTORS.map((actor) => {
      const expected = expectedFor(route, actor, node);
      const key = `${route.label} | ${node} | ${actor.name}`;
      return { key, label: `${route.label} on ${node} as ${actor.name} (${actor.how}): expect ${describeExpected(expected)}`, route, node, actor, expected };
    }),
  ),
);
const FRESH_CELLS = CELLS.filter((c) => c.route.fresh && c.expected.status < 300);

// ---------------------------------------------------------------------------------------
// Groups: the smaller matrix
// ---------------------------------------------------------------------------------------

type GroupStanding = 'admin' | 'member' | 'none';
interface GroupActorSpec {
  name: string;
  actor: ActorName;
  standing: GroupStanding;
}
const GROUP_ACTORS: readonly GroupActorSpec[] = [
  { name: 'admin', actor: 'owner', standing: 'admin' },
  { name: 'member', actor: 'groupMember', standing: 'member' },
  { name: 'nested member', actor: 'nestedMember', standing: 'member' },
  { name: 'removed member', actor: 'removedGroupMember', standing: 'none' },
  { name: 'guest member', actor: 'guest', standing: 'member' },
  { name: 'stranger', actor: 'stranger', standing: 'none' },
];

/** `directory`: any member of the directory sees the group's public face, its members only see the member list. */
type GroupNeed = 'directory' | 'member' | 'admin';

interface GroupCtx {
  g: TestGroup;
  who: Actor;
  spec: GroupActorSpec;
  label: string;
}
interface GroupRouteSpec {
  label: string;
  need: GroupNeed;
  ok: number;
  writes: boolean;
  /** An allowed call runs on a fresh group (alice admin, tee member). */
  fresh?: boolean;
  request(c: GroupCtx): Promise<Req>;
  check?(c: GroupCtx, res: ApiResponse): Promise<void>;
}

/** THE expected answer of a group cell (functions/groups, shared/server/services/groups/groupStanding.ts). */
function expectedForGroup(route: GroupRouteSpec, spec: GroupActorSpec): Expected {
  const kind = actorSpec(spec.actor).kind;
  if (spec.standing === 'none') {
    // Not in the group: the public face for members of the directory, else the same 404 as an unknown group.
    return route.need === 'directory' && kind === 'member' ? { status: route.ok } : { status: 404, code: 'GROUP_NOT_FOUND' };
  }
  if (route.need === 'admin' && (spec.standing !== 'admin' || kind === 'guest')) return { status: 403, code: 'NOT_GROUP_ADMIN' };
  return { status: route.ok };
}

const GROUP_ROUTES: readonly GroupRouteSpec[] = [
  {
    label: 'GET /groups/{id}',
    need: 'directory',
    ok: 200,
    writes: false,
    request: async (c) => ({ method: 'GET', path: `/groups/${c.g.groupId}` }),
    check: async (c, res) => {
      expect(res.body.groupId, c.label).toBe(c.g.groupId);
      if (c.spec.standing === 'none') {
        expect([res.body.members, res.body.membership], c.label).toEqual([undefined, undefined]);
      } else {
        expect(res.body.membership?.admin, c.label).toBe(c.spec.standing === 'admin');
        expect((res.body.members as { principalId: string }[]).map((m) => m.principalId), c.label).toContain('u:group-member');
      }
    },
  },
  {
    label: 'PUT /groups/{id}/name',
    need: 'admin',
    ok: 200,
    writes: true,
    fresh: true,
    request: async (c) => ({ method: 'PUT', path: `/groups/${c.g.groupId}/name`, body: { name: `Renamed by ${c.spec.name}` } }),
  },
  {
    label: 'POST /groups/{id}/members',
    need: 'admin',
    ok: 200,
    writes: true,
    fresh: true,
    request: async (c) => ({
      method: 'POST',
      path: `/groups/${c.g.groupId}/members`,
      body: { members: [await memberEntry(c.g, 'u:tee2')] },
      touches: ['USER#tee2'],
    }),
    check: async (c, res) => {
      expect(res.body.added, c.label).toEqual(['u:tee2']);
    },
  },
  {
    label: 'POST /groups/{id}/members/remove (with rotation)',
    need: 'admin',
    ok: 200,
    writes: true,
    fresh: true,
    request: async (c) => ({
      method: 'POST',
      path: `/groups/${c.g.groupId}/members/remove`,
      body: { principalIds: ['u:tee'], rotation: await rotationFor(c.g, ['u:tee']) },
      touches: ['USER#tee'],
    }),
    check: async (c, res) => {
      expect([res.body.removed, res.body.keyGeneration], c.label).toEqual([['u:tee'], c.g.gen + 1]);
    },
  },
  {
    label: 'PUT /groups/{id}/members/{p} (role)',
    need: 'admin',
    ok: 200,
    writes: true,
    fresh: true,
    request: async (c) => ({ method: 'PUT', path: `/groups/${c.g.groupId}/members/u%3Atee`, body: { role: 'admin' } }),
  },
  {
    label: 'GET /groups/{id}/grants',
    need: 'member',
    ok: 200,
    writes: false,
    request: async (c) => ({ method: 'GET', path: `/groups/${c.g.groupId}/grants` }),
    check: async (c, res) => {
      expect((res.body.grants as { nodeId: string }[]).map((x) => x.nodeId), c.label).toContain(idOf(main, 'D'));
    },
  },
  {
    label: 'POST /groups/{id}/rewrap (of a current grant: a no-op)',
    need: 'member',
    ok: 200,
    writes: true,
    request: async (c) => {
      const d = idOf(main, 'D');
      const grant = (await partition(`NODE#${d}`)).find((i) => i.sk === `GRANT#g:${c.g.groupId}`)!;
      return {
        method: 'POST',
        path: `/groups/${c.g.groupId}/rewrap`,
        body: { principalKeyGeneration: c.g.gen, grants: [{ nodeId: d, keyGeneration: grant.keyGeneration, wrappedKey: grant.wrappedKey }] },
        touches: [`NODE#${d}`],
      };
    },
    check: async (c, res) => {
      expect([res.body.rewrapped, res.body.skipped], c.label).toEqual([[], [idOf(main, 'D')]]);
    },
  },
];

interface GroupCell {
  key: string;
  label: string;
  route: GroupRouteSpec;
  spec: GroupActorSpec;
  expected: Expected;
}
const GROUP_CELLS: GroupCell[] = GROUP_ROUTES.flatMap((route) =>
  GROUP_ACTORS.map((spec) => {
    const expected = expectedForGroup(route, spec);
    return { key: `${route.label} | ${spec.name}`, label: `${route.label} on G1 as ${spec.name}: expect ${describeExpected(expected)}`, route, spec, expected };
  }),
);
const FRESH_GROUP_CELLS = GROUP_CELLS.filter((c) => c.route.fresh && c.expected.status < 300);

function actorSpec(name: ActorName): ActorSpec {
  return ACTORS.find((a) => a.name === name)!;
}

// ---------------------------------------------------------------------------------------
// The stack, users and helpers
// ---------------------------------------------------------------------------------------

let stack: LocalStack;
let url: string;
/** The handlers' clock: moved past the expiring grant once everything is set up (< 15 minutes: tokens stay valid). */
let offsetMs = 0;
const now = () => Date.now() + offsetMs;
const EXPIRY_MS = 5 * 60_000;

/**
 * Every user by id: the actors, plus spare (viewer on D and DL), recipient (shared with), tee and
 * tee2 (group members), and auditor (the deployment's one auditor, `settings.auditors`).
 */
const users: Record<string, Actor> = {};
const EXTRA_USERS = ['spare', 'recipient', 'tee', 'tee2', 'auditor'];
const user = (userId: string): Actor => users[userId]!;
const actorOf = (spec: ActorSpec) => user(spec.userId);

let main: Tree;
/** Like the fresh fixtures, with "editors may share" off on D and DL. */
let sharingOffTree: Tree;
const freshTrees = new Map<string, Tree>();
let G1: TestGroup;
let G2: TestGroup;
const freshGroups = new Map<string, TestGroup>();

const as = (who: Actor, method: Req['method'], path: string, body?: unknown) => api(url, method, path, { token: who.accessToken, ...(body !== undefined ? { body } : {}) });

async function must(res: Promise<ApiResponse>, status: number, what: string): Promise<ApiResponse> {
  const r = await res;
  if (r.status !== status) throw new Error(`${what}: ${r.status} ${JSON.stringify(r.body)}`);
  return r;
}

async function partition(pk: string): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const out = await stack.deps.db.doc.send(
      new QueryCommand({
        TableName: stack.table,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': pk },
        ConsistentRead: true,
        ExclusiveStartKey: start,
      }),
    );
    items.push(...((out.Items ?? []) as Record<string, unknown>[]));
    start = out.LastEvaluatedKey;
  } while (start);
  return items;
}

const snapshot = (pks: string[]) => Promise.all(pks.map(partition));

/** A registered, logged-in user (a guest when an invitation code is given). */
const registerUser = (userId: string, invitationCode?: string): Promise<Actor> =>
  register(url, userId, TEST_KDF, invitationCode ? { invitationCode } : {});

// --- groups, with real keys (as test/integration/groups.test.ts) ---

interface TestGroup {
  groupId: string;
  gen: number;
  secrets: Map<number, Uint8Array>;
  pairs: Map<number, GroupKeyPair>;
}
const groupsById = new Map<string, TestGroup>();
const groupLabel = (groupId: string, generation: number, recipientId: string) => ({ kind: 'group', resourceId: groupId, generation, recipientId }) as const;

async function keyOf(principalId: string): Promise<{ publicKey: CryptoKey; fingerprint: string }> {
  if (principalId.startsWith('u:')) return users[principalId.slice(2)]!;
  const g = groupsById.get(principalId.slice(2))!;
  const pair = g.pairs.get(g.gen)!;
  return { publicKey: pair.publicKey, fingerprint: await fingerprint(pair.publicKeySpki) };
}

async function newGroup(owner: Actor, name: string): Promise<TestGroup> {
  const groupId = newDocumentId();
  const pair = await generateGroupKeyPair();
  const secret = generateGroupSecret();
  await must(
    as(owner, 'POST', '/groups', {
      groupId,
      name,
      publicKey: toBase64Url(pair.publicKeySpki),
      fingerprint: await fingerprint(pair.publicKeySpki),
      sealedPrivateKey: await sealGroupPrivateKey(secret, pair.privateKeyPkcs8, { groupId, generation: 1 }),
      keyGeneration: 1,
      creatorWrappedSecret: toBase64Url(await wrapKey(owner.publicKey, secret, groupLabel(groupId, 1, `u:${owner.userId}`))),
    }),
    201,
    `create group ${name}`,
  );
  const g: TestGroup = { groupId, gen: 1, secrets: new Map([[1, secret]]), pairs: new Map([[1, pair]]) };
  groupsById.set(groupId, g);
  return g;
}

async function memberEntry(g: TestGroup, principalId: string, role: 'admin' | 'member' = 'member') {
  const { publicKey, fingerprint: fp } = await keyOf(principalId);
  const wrapped = await wrapKey(publicKey, g.secrets.get(g.gen)!, groupLabel(g.groupId, g.gen, principalId));
  return { principalId, role, wrappedSecret: toBase64Url(wrapped), keyGeneration: g.gen, fingerprint: fp };
}

async function addMembers(g: TestGroup, principalIds: string[]): Promise<void> {
  await must(as(user('alice'), 'POST', `/groups/${g.groupId}/members`, { members: await Promise.all(principalIds.map((p) => memberEntry(g, p))) }), 200, 'add members');
}

async function memberIds(g: TestGroup): Promise<string[]> {
  return (await partition(`GROUP#${g.groupId}`)).filter((i) => String(i.sk).startsWith('MEMBER#')).map((i) => i.principalId as string);
}

interface Rotation {
  body: Record<string, unknown>;
  pair: GroupKeyPair;
  secret: Uint8Array;
}
const rotations = new WeakMap<Record<string, unknown>, Rotation>();

/** The rotation a client sends when removing `removed`: a new pair and secret, wrapped for every remaining member. */
async function rotationFor(g: TestGroup, removed: string[]): Promise<Record<string, unknown>> {
  const next = g.gen + 1;
  const remaining = (await memberIds(g)).filter((p) => !removed.includes(p));
  const pair = await generateGroupKeyPair();
  const secret = generateGroupSecret();
  const body = {
    keyGeneration: next,
    publicKey: toBase64Url(pair.publicKeySpki),
    fingerprint: await fingerprint(pair.publicKeySpki),
    sealedPrivateKey: await sealGroupPrivateKey(secret, pair.privateKeyPkcs8, { groupId: g.groupId, generation: next }),
    chainWrap: await wrapKeyUnderKey(secret, g.secrets.get(g.gen)!, { kind: 'group-chain', resourceId: g.groupId, generation: g.gen, parentId: g.groupId, parentGeneration: next }),
    wraps: await Promise.all(
      remaining.map(async (principalId) => ({
        principalId,
        wrappedSecret: toBase64Url(await wrapKey((await keyOf(principalId)).publicKey, secret, groupLabel(g.groupId, next, principalId))),
      })),
    ),
    commit: true,
  };
  rotations.set(body, { body, pair, secret });
  return body;
}

/** Remove members with a rotation, then re-wrap every grant of the group for the new key (what the SDK does). */
async function removeAndRewrap(g: TestGroup, removed: string[]): Promise<void> {
  const rotation = await rotationFor(g, removed);
  await must(as(user('alice'), 'POST', `/groups/${g.groupId}/members/remove`, { principalIds: removed, rotation }), 200, 'remove members');
  const r = rotations.get(rotation)!;
  const old = g.pairs.get(g.gen)!;
  g.gen += 1;
  g.secrets.set(g.gen, r.secret);
  g.pairs.set(g.gen, r.pair);
  for (;;) {
    const stale = await must(as(user('alice'), 'GET', `/groups/${g.groupId}/grants?stale=1&limit=50`), 200, 'stale grants');
    const grants = stale.body.grants as { nodeId: string; keyGeneration: number; wrappedKey: string; nodeKind: 'document' | 'folder' }[];
    if (grants.length === 0) break;
    const rewrapped = await Promise.all(
      grants.map(async (x) => {
        const label = { kind: x.nodeKind === 'folder' ? 'folder' : 'dek', resourceId: x.nodeId, generation: x.keyGeneration, recipientId: `g:${g.groupId}` } as const;
        const key = await unwrapKey(old.privateKey, fromBase64Url(x.wrappedKey), label);
        return { nodeId: x.nodeId, keyGeneration: x.keyGeneration, wrappedKey: toBase64Url(await wrapKey(r.pair.publicKey, key, label)) };
      }),
    );
    await must(as(user('alice'), 'POST', `/groups/${g.groupId}/rewrap`, { principalKeyGeneration: g.gen, grants: rewrapped }), 200, 'rewrap');
  }
}

// --- nodes ---

/** A grant for POST /nodes/{id}/share of a node key, for a user or a group. */
async function grantOf(principalId: string, nodeId: string, key: Uint8Array, kind: 'dek' | 'folder', generation: number, role: Level, expiresAt?: string) {
  const { publicKey, fingerprint: fp } = await keyOf(principalId);
  const wrapped = await wrapKey(publicKey, key, { kind, resourceId: nodeId, generation, recipientId: principalId });
  return { principalId, wrappedKey: toBase64Url(wrapped), fingerprint: fp, role, ...(expiresAt ? { expiresAt } : {}) };
}

type GrantSpec = [principalId: string, role: Level, expiresAt?: string];

async function shareNode(nodeId: string, key: Uint8Array, kind: 'dek' | 'folder', generation: number, grants: GrantSpec[]): Promise<void> {
  const body = { keyGeneration: generation, grants: await Promise.all(grants.map(([p, role, exp]) => grantOf(p, nodeId, key, kind, generation, role, exp))) };
  await must(as(user('alice'), 'POST', `/nodes/${nodeId}/share`, body), 200, `share ${nodeId}`);
}

async function commentBody(doc: DocumentHandle, plaintext: string) {
  const commentId = newCommentId(now());
  return { commentId, ciphertext: await encryptMetadata(doc.dek, doc.documentId, commentField(commentId), plaintext), keyGeneration: 1 };
}

async function addComment(by: Actor, doc: DocumentHandle): Promise<string> {
  const res = await must(as(by, 'POST', `/documents/${doc.documentId}/comments`, await commentBody(doc, `from ${by.userId}`)), 201, `comment by ${by.userId}`);
  return res.body.commentId;
}

/** POST /documents into a folder (the upload itself does not matter here). */
async function documentBody(owner: Actor, folder: FolderHandle) {
  const documentId = newDocumentId();
  const dek = generateDataKey();
  return {
    documentId,
    size: 100,
    keyGeneration: 1,
    encryptedName: await encryptMetadata(dek, documentId, 'name', 'new.txt'),
    grants: [{ userId: owner.userId, wrappedKey: toBase64Url(await wrapKey(owner.publicKey, dek, { kind: 'dek', resourceId: documentId, generation: 1, recipientId: `u:${owner.userId}` })), fingerprint: owner.fingerprint }],
    parentId: folder.folderId,
    parentWrap: await wrapKeyUnderKey(folder.key, dek, childLabel(documentId, 1, folder.folderId, folder.generation)),
    parentKeyGeneration: folder.generation,
  };
}

/** The body of POST /folders/{id}/limit {limited: true}: a new key for exactly `grantees` (the folder's direct grantees). */
async function limitOnBody(folder: FolderHandle, grantees: string[]) {
  const key = generateDataKey();
  const generation = folder.generation + 1;
  return {
    next: { folderId: folder.folderId, key, generation } as FolderHandle,
    body: {
      limited: true,
      keyGeneration: generation,
      chainWrap: await wrapKeyUnderKey(key, folder.key, chainLabel(folder.folderId, folder.generation)),
      encryptedName: await encryptMetadata(key, folder.folderId, 'name', 'limited'),
      grants: await Promise.all(
        grantees.map(async (principalId) => {
          const { publicKey, fingerprint: fp } = await keyOf(principalId);
          return { principalId, wrappedKey: toBase64Url(await wrapKey(publicKey, key, folderLabel(folder.folderId, generation, principalId))), fingerprint: fp };
        }),
      ),
    },
  };
}

/** The limit route's body: F (inheriting) is made limited; L (limited) inherits again. */
async function limitToggleBody(t: Tree, node: 'F' | 'L') {
  if (node === 'F') return (await limitOnBody(t.F, ['u:alice', 'u:inherited'])).body;
  return {
    limited: false,
    parentWrap: await wrapKeyUnderKey(t.F.key, t.L.key, childLabel(t.L.folderId, t.L.generation, t.F.folderId, t.F.generation)),
    parentKeyGeneration: t.F.generation,
  };
}

/**
 * One fixture: R > F > D, F > L > DL, R > M, L > LM, shared as the ACTORS table says, L made
 * limited after F was shared. The main fixture also has comments and the lapsed actors: their
 * grants are given (at commenter, so they can leave a comment of their own) and taken away later.
 */
async function buildTree(isMain: boolean, sharingOff = false): Promise<Tree> {
  const alice = user('alice');
  const R = await mkdir(url, alice, 'R');
  const F = await mkdir(url, alice, 'F', R);
  const M = await mkdir(url, alice, 'M', R);
  let L = await mkdir(url, alice, 'L', F);
  const D = await uploadInto(url, alice, F, text('document D'), 'D.txt');
  const DL = await uploadInto(url, alice, L, text('document DL'), 'DL.txt');
  const LM = await mkdir(url, alice, 'LM', L);
  const g1 = `g:${G1.groupId}`;
  const atFirst: Level = isMain ? 'commenter' : 'viewer';
  await Promise.all([
    shareNode(R.folderId, R.key, 'folder', 1, [['u:limited-outsider', 'editor']]),
    shareNode(F.folderId, F.key, 'folder', 1, [['u:inherited', 'commenter']]),
    shareNode(D.documentId, D.dek, 'dek', 1, [
      ['u:manager', 'manager'],
      ['u:editor', 'editor'],
      ['u:commenter', 'commenter'],
      ['u:viewer', atFirst],
      ['u:guest', 'editor'],
      ['u:spare', 'viewer'],
      [g1, 'editor'],
      ...(isMain
        ? ([
            ['u:expired', 'commenter', new Date(now() + EXPIRY_MS).toISOString()],
            ['u:revoked', 'commenter'],
          ] as GrantSpec[])
        : []),
    ]),
    shareNode(M.folderId, M.key, 'folder', 1, [
      ...['manager', 'editor', 'commenter', 'viewer', 'guest', 'inherited'].map((u): GrantSpec => [`u:${u}`, 'editor']),
      [g1, 'editor'],
    ]),
    shareNode(L.folderId, L.key, 'folder', 1, [
      ['u:manager', 'manager'],
      ['u:viewer', atFirst],
      ['u:guest', 'editor'],
    ]),
    shareNode(DL.documentId, DL.dek, 'dek', 1, [['u:spare', 'viewer']]),
  ]);
  const limit = await limitOnBody(L, ['u:alice', 'u:manager', 'u:viewer', 'u:guest']);
  await must(as(alice, 'POST', `/folders/${L.folderId}/limit`, limit.body), 200, 'limit L');
  L = limit.next;
  if (sharingOff) {
    for (const id of [D.documentId, DL.documentId]) await must(as(alice, 'PUT', `/nodes/${id}/settings`, { editorsCanShare: false }), 200, 'editors may not share');
  }
  return { R, F, L, M, LM, D, DL, comments: new Map() };
}

/** The main fixture's comments: one by each actor able to comment (own), one by someone else for each actor (foreign). */
async function addMainComments(t: Tree): Promise<void> {
  for (const node of DOCS) {
    const doc = t[node];
    // While they still may: the viewers are commenters, the lapsed actors not lapsed yet.
    const authors = node === 'D' ? ACTORS.filter((a) => a.name !== 'stranger') : ACTORS.filter((a) => a.levels.DL);
    for (const a of authors) t.comments.set(`own:${node}:${a.name}`, await addComment(actorOf(a), doc));
    for (const a of ACTORS) t.comments.set(`foreign:${node}:${a.name}`, await addComment(a.name === 'owner' ? user('manager') : user('alice'), doc));
  }
}

// ---------------------------------------------------------------------------------------
// Setup
// ---------------------------------------------------------------------------------------

beforeAll(async () => {
  stack = await startLocalStack({ clock: () => Date.now() + offsetMs, settings: { auditors: ['auditor'] } });
  url = stack.url;
  const alice = await registerUser('alice');
  users.alice = alice;
  const invitation = await must(as(alice, 'POST', '/invitations', {}), 201, 'invitation');
  const others = [...ACTORS.filter((a) => a.name !== 'owner').map((a) => a.userId), ...EXTRA_USERS];
  await mapBounded(others, 4, async (userId) => {
    users[userId] = await registerUser(userId, userId === 'guest' ? invitation.body.invitationCode : undefined);
  });

  // Groups: G1 (alice admin; group-member, removed-member, the guest, tee, and G2), G2 (alice admin; nested-member).
  // One at a time: each creation also writes the creator's principal set (concurrent ones conflict there).
  G1 = await newGroup(alice, 'G1');
  G2 = await newGroup(alice, 'G2');
  await addMembers(G2, ['u:nested-member']);
  await addMembers(G1, ['u:group-member', 'u:removed-member', 'u:guest', 'u:tee', `g:${G2.groupId}`]);

  // The main fixture, its comments, then the lapses: viewers back to viewer, one grant revoked, one member removed.
  main = await buildTree(true);
  await addMainComments(main);
  // Alice's pending version 2 of D and DL: what refused cells try to complete or resume.
  for (const doc of [main.D, main.DL]) await reserveAs(alice, doc.documentId);
  const d = main.D.documentId;
  const expiresAt = (await partition(`NODE#${d}`)).find((i) => i.sk === 'GRANT#u:expired')!.grantExpiresAt as string;
  await must(as(alice, 'PUT', `/nodes/${d}/grants/u:viewer`, { role: 'viewer' }), 200, 'viewer back to viewer');
  await must(as(alice, 'PUT', `/nodes/${d}/grants/u:expired`, { role: 'viewer', expiresAt }), 200, 'expired to viewer');
  await must(as(alice, 'PUT', `/nodes/${main.L.folderId}/grants/u:viewer`, { role: 'viewer' }), 200, 'viewer back to viewer on L');
  await must(as(alice, 'POST', `/nodes/${d}/revoke`, { principalIds: ['u:revoked'] }), 200, 'revoke');
  await removeAndRewrap(G1, ['u:removed-member']);

  // Fresh fixtures for the allowed cells that change what others would see.
  sharingOffTree = await buildTree(false, true);
  const trees = await mapBounded(FRESH_CELLS, 4, (c) => buildTree(false, c.route.sharingOff));
  FRESH_CELLS.forEach((c, i) => freshTrees.set(c.key, trees[i]!));
  const groups = await mapBounded(FRESH_GROUP_CELLS, 1, async () => {
    const g = await newGroup(alice, 'fresh');
    await addMembers(g, ['u:tee']);
    return g;
  });
  FRESH_GROUP_CELLS.forEach((c, i) => freshGroups.set(c.key, groups[i]!));

  // Last: the expiring grant lapses.
  offsetMs = EXPIRY_MS + 60_000;
}, 180_000);

afterAll(() => stack?.stop());

// ---------------------------------------------------------------------------------------
// The matrix
// ---------------------------------------------------------------------------------------

/**
 * Cells that write nothing (reads, refusals, dry runs) run side by side, before the route's allowed
 * writes, which run one at a time after them: so the snapshot a refused cell takes of the registry
 * can only change through that cell's own request.
 */
const writesNothing = (cell: { route: { writes: boolean; neverWrites?: boolean }; expected: Expected }): boolean =>
  !cell.route.writes || cell.expected.status >= 300 || cell.route.neverWrites === true;

async function runCell(cell: Cell): Promise<void> {
  const allowed = cell.expected.status < 300;
  const t = cell.route.fresh && allowed ? freshTrees.get(cell.key)! : cell.route.sharingOff ? sharingOffTree : main;
  const who = actorOf(cell.actor);
  const id = idOf(t, cell.node);
  const c: Ctx = { t, who, actor: cell.actor, node: cell.node, id, label: cell.label };
  const req = await cell.route.request(c);
  const pks = [...new Set([`NODE#${id}`, `NODE#${idOf(t, PARENT_OF[cell.node])}`, ...(req.touches ?? [])])];
  const watch = cell.route.writes && (!allowed || cell.route.neverWrites);
  const res = await sendAndAssess(cell, who, req, watch ? pks : undefined);
  if (allowed && cell.route.check) await cell.route.check(c, res);
}

/**
 * One cell's request: the answer must be the expected status (and code), and with `watched` keys
 * (a refused write, or one that must write nothing) every item under them must be as it was.
 */
async function sendAndAssess(
  cell: { label: string; expected: { status: number; code?: string | undefined } },
  who: Actor,
  req: Pick<Req, 'method' | 'path' | 'body'>,
  watched: string[] | undefined,
): Promise<ApiResponse> {
  const before = watched ? await snapshot(watched) : undefined;
  const res = await as(who, req.method, req.path, req.body);
  const message = `${cell.label}: got ${res.status} ${JSON.stringify(res.body)}`;
  expect(res.status, message).toBe(cell.expected.status);
  if (cell.expected.code) expect(res.body?.error?.code, message).toBe(cell.expected.code);
  if (before) expect(await snapshot(watched!), `${cell.label}: the registry changed`).toEqual(before);
  return res;
}

describe('authorization matrix: node routes x actors', () => {
  for (const route of ROUTES) {
    describe(route.label, () => {
      const cells = CELLS.filter((x) => x.route === route);
      for (const cell of cells.filter(writesNothing)) it.concurrent(cell.label, () => runCell(cell));
      for (const cell of cells.filter((c) => !writesNothing(c))) it(cell.label, () => runCell(cell));
    });
  }

  describe('POST /access/check (D, DL, F, L and an unknown id)', () => {
    for (const actor of ACTORS) {
      const visible = (['D', 'DL', 'F', 'L'] as const).filter((n) => actor.levels[n]);
      it.concurrent(`as ${actor.name} (${actor.how}): sees ${visible.join(', ') || 'nothing'}`, async () => {
        const ids = (['D', 'DL', 'F', 'L'] as const).map((n) => idOf(main, n));
        const res = await as(actorOf(actor), 'POST', '/access/check', { nodeIds: [...ids, newDocumentId()] });
        expect(res.status, `access/check as ${actor.name}: ${JSON.stringify(res.body)}`).toBe(200);
        expect(res.body.results, `access/check as ${actor.name}`).toEqual(
          visible.map((n) => ({ nodeId: idOf(main, n), role: actor.levels[n], capabilities: capabilitiesOf(actor.kind, actor.levels[n]) })),
        );
      });
    }
  });
});


/**
 * GET /documents ("shared with me") per actor: the main fixture's nodes whose own ACL names one
 * of the actor's principals (buildTree's shares, the lapses applied): directly, through G1, or
 * through G2 nested in G1. What reaches an actor only from a folder above is listed inside it.
 */
const LISTED: Record<ActorName, readonly (NodeName | 'R' | 'M' | 'LM')[]> = {
  owner: ['R', 'F', 'M', 'L', 'LM', 'D', 'DL'],
  manager: ['M', 'L', 'D'],
  editor: ['M', 'D'],
  commenter: ['M', 'D'],
  viewer: ['M', 'L', 'D'],
  groupMember: ['M', 'D'],
  nestedMember: ['M', 'D'],
  inherited: ['F', 'M'],
  limitedOutsider: ['R'],
  expired: [],
  revoked: [],
  removedGroupMember: [],
  guest: ['M', 'L', 'D'],
  stranger: [],
};

describe('authorization matrix: GET /documents x actors (the main fixture)', () => {
  for (const actor of ACTORS) {
    const listed = LISTED[actor.name];
    it.concurrent(`as ${actor.name} (${actor.how}): lists ${listed.join(', ') || 'none of it'}, each once`, async () => {
      const fixture = new Map((['R', 'F', 'M', 'L', 'LM', 'D', 'DL'] as const).map((n) => [idOf(main, n), n]));
      const seen: { documentId: string; role: string }[] = [];
      let cursor: string | undefined;
      do {
        const res = await as(actorOf(actor), 'GET', `/documents?limit=100${cursor ? `&cursor=${cursor}` : ''}`);
        expect(res.status, `GET /documents as ${actor.name}: ${JSON.stringify(res.body)}`).toBe(200);
        seen.push(...(res.body.documents as { documentId: string; role: string }[]).filter((d) => fixture.has(d.documentId)));
        cursor = res.body.cursor;
      } while (cursor);
      expect(seen.map((d) => fixture.get(d.documentId)).sort(), `listed as ${actor.name}`).toEqual([...listed].sort());
      for (const d of seen) {
        const level = actor.levels[fixture.get(d.documentId) as NodeName];
        if (level) expect(d.role, `${actor.name}'s level on ${fixture.get(d.documentId)}`).toBe(level);
      }
    });
  }
});

async function runGroupCell(cell: GroupCell): Promise<void> {
  const route = cell.route;
  const allowed = cell.expected.status < 300;
  const g = route.fresh && allowed ? freshGroups.get(cell.key)! : G1;
  const who = actorOf(actorSpec(cell.spec.actor));
  const c: GroupCtx = { g, who, spec: cell.spec, label: cell.label };
  const req = await route.request(c);
  const pks = [...new Set([`GROUP#${g.groupId}`, ...(req.touches ?? [])])];
  const watch = route.writes && (!allowed || !route.fresh);
  const res = await sendAndAssess(cell, who, req, watch ? pks : undefined);
  if (allowed && route.check) await route.check(c, res);
}

describe('authorization matrix: group routes x group members', () => {
  for (const route of GROUP_ROUTES) {
    describe(route.label, () => {
      const cells = GROUP_CELLS.filter((x) => x.route === route);
      for (const cell of cells.filter(writesNothing)) it.concurrent(cell.label, () => runGroupCell(cell));
      for (const cell of cells.filter((c) => !writesNothing(c))) it(cell.label, () => runGroupCell(cell));
    });
  }
});

// ---------------------------------------------------------------------------------------
// The audit routes (docs/audit.md, "Queries"): auditors everything; a node's owner its events;
// each member their own actions; guests nothing. Owning is not managing: a manager is refused.
// ---------------------------------------------------------------------------------------

type AuditWho = ActorSpec | 'auditor';
interface AuditRouteSpec {
  label: string;
  request(who: AuditWho): Req;
  /** Who besides auditors may: `owner` (the node's owner), `self` (everyone for themselves), none. */
  also: 'owner' | 'self' | 'none';
}
const AUDIT_ROUTES: readonly AuditRouteSpec[] = [
  { label: 'GET /audit/events?resource=D', also: 'owner', request: () => ({ method: 'GET', path: `/audit/events?resource=${main.D.documentId}` }) },
  { label: 'GET /audit/events?resource=F&category=permission', also: 'owner', request: () => ({ method: 'GET', path: `/audit/events?resource=${main.F.folderId}&category=permission` }) },
  { label: 'GET /audit/events?actor=<themselves>', also: 'self', request: (who) => ({ method: 'GET', path: `/audit/events?actor=${who === 'auditor' ? 'auditor' : who.userId}` }) },
  { label: 'GET /audit/events?actor=alice (the owner)', also: 'owner', request: () => ({ method: 'GET', path: '/audit/events?actor=alice' }) },
  { label: 'GET /audit/external', also: 'none', request: () => ({ method: 'GET', path: '/audit/external' }) },
  { label: 'POST /audit/verify', also: 'none', request: () => ({ method: 'POST', path: '/audit/verify', body: {} }) },
  { label: 'POST /audit/checkpoints', also: 'none', request: () => ({ method: 'POST', path: '/audit/checkpoints', body: {} }) },
];

/** THE expected answer of an audit cell (shared/server/services/audit/queryAuditLog.ts). */
function expectedForAudit(route: AuditRouteSpec, who: AuditWho): Expected {
  if (who === 'auditor') return { status: 200 };
  if (who.kind === 'guest') return { status: 403, code: 'GUEST_FORBIDDEN' };
  if (route.also === 'self' || (route.also === 'owner' && who.name === 'owner')) return { status: 200 };
  return { status: 403, code: 'NOT_AN_AUDITOR' };
}

describe('authorization matrix: audit routes x actors', () => {
  for (const route of AUDIT_ROUTES) {
    describe(route.label, () => {
      for (const who of ['auditor', ...ACTORS] as AuditWho[]) {
        const expected = expectedForAudit(route, who);
        const name = who === 'auditor' ? 'auditor (coffer:auditors)' : `${who.name} (${who.how})`;
        // Reads, and checkpoints only the auditor may write: side by side.
        it.concurrent(`as ${name}: expect ${describeExpected(expected)}`, async () => {
          const req = route.request(who);
          const res = await as(who === 'auditor' ? user('auditor') : actorOf(who), req.method, req.path, req.body);
          const message = `${route.label} as ${name}: got ${res.status} ${JSON.stringify(res.body)}`;
          expect(res.status, message).toBe(expected.status);
          if (expected.code) expect(res.body?.error?.code, message).toBe(expected.code);
        });
      }
    });
  }
});

// ---------------------------------------------------------------------------------------
// The account routes: no id in the path, so the account is always the caller's own, for
// members and guests alike. Nobody reaches another account, whatever the body names.
// ---------------------------------------------------------------------------------------

interface AccountRouteSpec {
  label: string;
  request(who: Actor): Promise<Req>;
  expected: Expected;
  /** What the answer must show beyond its status. */
  check?(who: Actor, res: ApiResponse): void;
}
/** The account no cell may touch. */
const BYSTANDER = 'spare';
const ACCOUNT_ROUTES: readonly AccountRouteSpec[] = [
  {
    label: 'PUT /users/me',
    expected: { status: 200 },
    request: async () => ({ method: 'PUT', path: '/users/me', body: { designation: 'Matrix' } }),
    check: (who, res) => expect(res.body).toMatchObject({ userId: who.userId, designation: 'Matrix' }),
  },
  {
    label: "PUT /users/me/passphrase with another user's current auth key",
    expected: { status: 401, code: 'INVALID_CREDENTIALS' },
    request: async () => ({
      method: 'PUT',
      path: '/users/me/passphrase',
      body: { currentAuthKey: user(BYSTANDER).authKey, kdf: newKdfParams(TEST_KDF), authKey: toBase64Url(generateDataKey()), encryptedPrivateKey: toBase64Url(generateDataKey()) },
    }),
  },
  {
    // The same material again (the blob a login returns, the current parameters): the account stays usable.
    label: 'PUT /users/me/passphrase with their own current auth key',
    expected: { status: 204 },
    request: async (who) => {
      const { kdf } = (await must(api(url, 'POST', '/auth/prelogin', { body: { userId: who.userId } }), 200, 'prelogin')).body;
      const login = await must(api(url, 'POST', '/auth/token', { body: { userId: who.userId, authKey: who.authKey } }), 200, 'login');
      return { method: 'PUT', path: '/users/me/passphrase', body: { currentAuthKey: who.authKey, kdf, authKey: who.authKey, encryptedPrivateKey: login.body.encryptedPrivateKey } };
    },
  },
];

describe('authorization matrix: account routes x actors', () => {
  for (const route of ACCOUNT_ROUTES) {
    describe(route.label, () => {
      for (const actor of ACTORS) {
        it(`as ${actor.name} (${actor.how}): expect ${describeExpected(route.expected)}, on their own account only`, async () => {
          const who = actorOf(actor);
          const req = await route.request(who);
          const watched = [`USER#${BYSTANDER}`, ...(route.expected.status < 300 ? [] : [`USER#${who.userId}`])];
          const before = await snapshot(watched);
          const res = await as(who, req.method, req.path, req.body);
          const message = `${route.label} as ${actor.name}: got ${res.status} ${JSON.stringify(res.body)}`;
          expect(res.status, message).toBe(route.expected.status);
          if (route.expected.code) expect(res.body?.error?.code, message).toBe(route.expected.code);
          expect(await snapshot(watched), `${route.label} as ${actor.name}: an account changed`).toEqual(before);
          route.check?.(who, res);
        });
      }
    });
  }
});

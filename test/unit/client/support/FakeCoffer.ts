import { fingerprint, fromBase64Url } from '../../../../shared/core/crypto/index.js';
import { type Capability, capabilitiesOf, grantableUpTo, higher, inherited, rank, type Role } from '../../../../shared/core/permissions/levels.js';
import type { GrantInput } from '../../../../shared/core/api/schemas/documents.js';
import type { OwnProfile } from '../../../../shared/core/api/schemas/users.js';

/**
 * An in-memory stand-in for the Coffer API and its presigned object storage, behind a
 * fetch function. It follows the route table, the shared schemas and the permission
 * contract (docs/permissions.md) closely enough to drive the SDK's flows; the
 * integration tests drive the real handlers.
 */
export interface Call {
  method: string;
  url: string;
  path: string;
  headers: Record<string, string>;
  body?: unknown;
  bytes?: Uint8Array;
}

type Handler = (call: Call) => Promise<Response | undefined> | Response | undefined;

interface UserRecord {
  profile: OwnProfile;
  kdf: { algorithm: 'argon2id'; memoryKiB: number; iterations: number; parallelism: number; salt: string };
  authKey: string;
  sealed: string;
}

export interface Grant {
  wrappedKey: string;
  role: Role;
  sharedAt: string;
  keyGeneration: number;
  expiresAt?: string;
  principalKeyGeneration?: number;
}

/** A document or folder. Grants are keyed by principal id (`u:<userId>`, `g:<groupId>`), like the ACL. */
export interface FakeNode {
  id: string;
  kind: 'document' | 'folder';
  ownerId: string;
  size: number;
  encryptedName: string;
  keyGeneration: number;
  state: 'pending' | 'active';
  createdAt: string;
  parentId?: string;
  parentWrap?: string;
  parentKeyGeneration?: number;
  /** keyChain[g]: the key of generation g wrapped under generation g+1's (documents after a rotation). */
  keyChain?: Record<string, string>;
  settings: { editorsCanShare: boolean };
  grants: Map<string, Grant>;
  upload: { kind: 'single' } | { kind: 'multipart'; uploadId: string; partCount: number };
}

export interface FakeGroup {
  groupId: string;
  name: string;
  publicKey: string;
  fingerprint: string;
  keyGeneration: number;
  /** User ids. */
  members: Set<string>;
  /** For GET /groups (the members' keyring): the private key sealed under the secret, and the secret wrapped per member. */
  sealedPrivateKey?: string;
  wrappedSecrets?: Record<string, string>;
}

export const API = 'http://coffer.test';
export const S3 = 'http://s3.test';

const YEAR_MS = 366 * 24 * 3600 * 1000;
const FORBIDDEN: Partial<Record<Capability, [string, string]>> = {
  share: ['CANNOT_SHARE', 'Your level does not allow sharing this.'],
  manage: ['CANNOT_MANAGE', 'Your level does not allow managing permissions here.'],
  delete: ['NOT_OWNER', 'Only the owner can delete this.'],
  transfer: ['NOT_OWNER', 'Only the owner can transfer ownership.'],
  settings: ['NOT_OWNER', 'Only the owner can change these settings.'],
};

interface Access {
  node: FakeNode;
  role: Role;
  /** The node, then its ancestors (no limited folders here). */
  scope: FakeNode[];
  principals: Set<string>;
  capabilities: Capability[];
}

export class FakeCoffer {
  readonly users = new Map<string, UserRecord>();
  readonly docs = new Map<string, FakeNode>();
  readonly groups = new Map<string, FakeGroup>();
  readonly objects = new Map<string, Uint8Array>();
  readonly parts = new Map<string, Map<number, Uint8Array>>();
  readonly calls: Call[] = [];
  readonly settings = { multipartThreshold: 64 * 1024 * 1024, partSize: 16 * 1024 * 1024, accessTtlMs: 15 * 60_000 };
  private readonly accessTokens = new Map<string, { userId: string; expired: boolean }>();
  private readonly refreshTokens = new Map<string, { userId: string; used: boolean }>();
  private readonly interceptors: Handler[] = [];
  private counter = 0;

  /** Runs before the fake's own routing; return a Response to answer instead. */
  intercept(handler: Handler): void {
    this.interceptors.push(handler);
  }

  clearInterceptors(): void {
    this.interceptors.length = 0;
  }

  /** Every access token issued so far now answers 401 TOKEN_EXPIRED. */
  expireAccessTokens(): void {
    for (const t of this.accessTokens.values()) t.expired = true;
  }

  /** Replaces a user's key as the server would after a re-registration (or a substitution). */
  async replaceKey(userId: string, publicKey: string): Promise<void> {
    const user = this.users.get(userId)!;
    user.profile = { ...user.profile, publicKey, fingerprint: await fingerprint(fromBase64Url(publicKey)) };
  }

  /** A user that exists only on the server (no client): enough to be a share recipient. */
  async addUser(userId: string, publicKeySpki: string): Promise<void> {
    const profile: OwnProfile = {
      userId,
      name: userId,
      kind: 'member',
      publicKey: publicKeySpki,
      fingerprint: await fingerprint(fromBase64Url(publicKeySpki)),
      createdAt: now(),
    };
    this.users.set(userId, { profile, kdf: { algorithm: 'argon2id', memoryKiB: 1024, iterations: 1, parallelism: 1, salt: 'A'.repeat(22) }, authKey: '-', sealed: '-' });
  }

  /** A group as the groups area would hold it (its key pair made by the test). */
  async addGroup(
    groupId: string,
    publicKeySpki: string,
    members: string[],
    keyring: Pick<FakeGroup, 'sealedPrivateKey' | 'wrappedSecrets'> = {},
  ): Promise<FakeGroup> {
    const group: FakeGroup = {
      groupId,
      name: `group ${groupId.slice(0, 4)}`,
      publicKey: publicKeySpki,
      fingerprint: await fingerprint(fromBase64Url(publicKeySpki)),
      keyGeneration: 1,
      members: new Set(members),
      ...keyring,
    };
    this.groups.set(groupId, group);
    return group;
  }

  /** The group's key rotated (a member was removed): a new public key at the next generation. */
  async rotateGroup(groupId: string, publicKeySpki: string): Promise<void> {
    const group = this.groups.get(groupId)!;
    group.publicKey = publicKeySpki;
    group.fingerprint = await fingerprint(fromBase64Url(publicKeySpki));
    group.keyGeneration += 1;
  }

  callsTo(method: string, pathPrefix: string): Call[] {
    return this.calls.filter((c) => c.method === method && c.path.startsWith(pathPrefix));
  }

  readonly fetch = async (input: string, init: RequestInit = {}): Promise<Response> => {
    const url = new URL(input);
    const method = (init.method ?? 'GET').toUpperCase();
    const headers = Object.fromEntries(Object.entries((init.headers as Record<string, string>) ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
    const call: Call = { method, url: input, path: url.pathname, headers };
    if (init.body !== undefined && init.body !== null) {
      if (typeof init.body === 'string') call.body = JSON.parse(init.body);
      else call.bytes = await readBody(init.body as Uint8Array | ReadableStream<Uint8Array>);
    }
    this.calls.push(call);
    for (const handler of this.interceptors) {
      const response = await handler(call);
      if (response) return response;
    }
    if (input.startsWith(S3)) return this.storage(call, url);
    return this.api(call, url);
  };

  private async api(call: Call, url: URL): Promise<Response> {
    const { method, path } = call;
    const body = (call.body ?? {}) as Record<string, any>;
    if (method === 'POST' && path === '/users') return this.register(body);
    if (method === 'POST' && path === '/auth/prelogin') {
      const user = this.users.get(body.userId);
      const kdf = user?.kdf ?? { algorithm: 'argon2id', memoryKiB: 65536, iterations: 3, parallelism: 1, salt: 'AAAAAAAAAAAAAAAAAAAAAA' };
      return json(200, { kdf });
    }
    if (method === 'POST' && path === '/auth/token') {
      const user = this.users.get(body.userId);
      if (!user || user.authKey !== body.authKey) return error(401, 'INVALID_CREDENTIALS', 'Unknown user or wrong passphrase.');
      return json(200, { ...this.issue(user.profile.userId), encryptedPrivateKey: user.sealed, user: user.profile });
    }
    if (method === 'POST' && path === '/auth/refresh') {
      const token = this.refreshTokens.get(body.refreshToken);
      if (!token || token.used) return error(401, 'INVALID_REFRESH_TOKEN', 'The refresh token is not valid: log in again.');
      token.used = true;
      return json(200, this.issue(token.userId));
    }

    const auth = /^Bearer (.+)$/.exec(call.headers.authorization ?? '')?.[1];
    const session = auth ? this.accessTokens.get(auth) : undefined;
    if (!session) return error(401, 'INVALID_TOKEN', 'The access token is not valid: log in again.');
    if (session.expired) return error(401, 'TOKEN_EXPIRED', 'The access token has expired: refresh it or log in again.');
    const me = session.userId;

    if (method === 'POST' && path === '/auth/logout') return new Response(null, { status: 204 });
    if (method === 'GET' && path === '/users/me') return json(200, this.users.get(me)!.profile);
    if (method === 'GET' && path === '/users') {
      const ids = (url.searchParams.get('ids') ?? '').split(',').filter(Boolean);
      if (ids.length === 0 || ids.length > 100) return error(400, 'VALIDATION_FAILED', 'Invalid query: ids');
      const users = ids.filter((id) => this.users.has(id)).map((id) => publicProfile(this.users.get(id)!.profile));
      return json(200, { users, unknownUserIds: ids.filter((id) => !this.users.has(id)) });
    }
    if (method === 'GET' && path === '/groups') return this.keyring(me);
    const group = /^\/groups\/([^/]+)$/.exec(path);
    if (method === 'GET' && group) return this.getGroup(decodeURIComponent(group[1]!));
    if (method === 'POST' && path === '/documents') return this.createNode(me, 'document', body);
    if (method === 'POST' && path === '/folders') return this.createNode(me, 'folder', body);
    if (method === 'GET' && path === '/documents') return this.list(me, url);
    if (method === 'POST' && path === '/access/check') return this.checkAccess(me, body.nodeIds as string[]);

    const doc = /^\/documents\/([^/]+)(?:\/(complete|rotate))?$/.exec(path);
    if (doc) {
      const id = decodeURIComponent(doc[1]!);
      if (doc[2] === 'complete') return this.complete(me, this.docs.get(id), body);
      if (doc[2] === 'rotate') {
        const access = this.resolve(me, id, 'document');
        if (!access) return error(404, 'DOCUMENT_NOT_FOUND', 'No such document, or you have no access to it.');
        return this.rotate(access, body);
      }
      const access = this.resolve(me, id, 'document');
      if (!access) return error(404, 'DOCUMENT_NOT_FOUND', 'No such document, or you have no access to it.');
      if (method === 'GET') {
        return json(200, {
          ...summary(access.node, access.role, access.node.grants.get(`u:${me}`)),
          capabilities: access.capabilities,
          keyPath: this.keyPath(me, access),
          download: { url: `${S3}/obj/${id}`, expiresAt: new Date(Date.now() + 300_000).toISOString() },
        });
      }
      if (method === 'DELETE') {
        const refused = refuseWithout(access, 'delete');
        if (refused) return refused;
        this.docs.delete(id);
        this.objects.delete(id);
        return new Response(null, { status: 204 });
      }
    }

    const node = /^\/nodes\/([^/]+)(?:\/(share|revoke|permissions|settings|transfer|grants\/([^/]+)))?$/.exec(path);
    if (node) {
      const id = decodeURIComponent(node[1]!);
      const access = this.resolve(me, id);
      if (!access) return error(404, 'NODE_NOT_FOUND', 'No such document or folder, or you have no access to it.');
      const op = node[2]?.startsWith('grants/') ? 'grants' : node[2];
      if (method === 'GET' && !op) return json(200, this.nodeView(me, access));
      if (method === 'GET' && op === 'permissions') return json(200, this.permissions(access));
      if (method === 'POST' && op === 'share') return this.share(me, access, body);
      if (method === 'POST' && op === 'revoke') return this.revoke(me, access, body);
      if (method === 'PUT' && op === 'grants') return this.changeGrant(access, decodeURIComponent(node[3]!), body);
      if (method === 'PUT' && op === 'settings') {
        const refused = refuseWithout(access, 'settings');
        if (refused) return refused;
        access.node.settings = { editorsCanShare: body.editorsCanShare };
        return json(200, { nodeId: id, settings: access.node.settings });
      }
      if (method === 'POST' && op === 'transfer') return this.transfer(me, access, body.newOwnerId);
    }
    return error(404, 'ROUTE_NOT_FOUND', 'No such route.');
  }

  // --- access ----------------------------------------------------------------------

  private principalsOf(userId: string): Set<string> {
    return new Set([`u:${userId}`, ...[...this.groups.values()].filter((g) => g.members.has(userId)).map((g) => `g:${g.groupId}`)]);
  }

  private scopeOf(node: FakeNode): FakeNode[] | undefined {
    const scope = [node];
    for (let parent = node.parentId; parent; ) {
      const folder = this.docs.get(parent);
      if (!folder || folder.state !== 'active') return undefined;
      scope.push(folder);
      parent = folder.parentId;
    }
    return scope;
  }

  resolve(userId: string, nodeId: string, kind?: FakeNode['kind']): Access | undefined {
    const node = this.docs.get(nodeId);
    if (!node || node.state !== 'active' || (kind && node.kind !== kind)) return undefined;
    const scope = this.scopeOf(node);
    if (!scope) return undefined;
    const principals = this.principalsOf(userId);
    let role: Role | undefined;
    scope.forEach((n, i) => {
      for (const p of principals) {
        const g = n.grants.get(p);
        if (g && live(g)) role = higher(role, i === 0 ? g.role : inherited(g.role));
      }
    });
    if (!role) return undefined;
    const capabilities = capabilitiesOf(role, { kind: 'member', editorsCanShare: node.settings.editorsCanShare });
    return { node, role, scope, principals, capabilities };
  }

  /** The nearest live grant of the caller's principals (own first), then the parent wraps down to the node. */
  private keyPath(userId: string, access: Access) {
    const own = `u:${userId}`;
    for (let index = 0; index < access.scope.length; index++) {
      const holder = access.scope[index]!;
      const principalId = [own, ...access.principals].find((p) => {
        const g = holder.grants.get(p);
        return g && live(g);
      });
      if (!principalId) continue;
      const grant = holder.grants.get(principalId)!;
      const steps = [];
      for (let i = index - 1; i >= 0; i--) {
        const child = access.scope[i]!;
        steps.push({
          nodeId: child.id,
          keyGeneration: child.keyGeneration,
          parentId: access.scope[i + 1]!.id,
          parentKeyGeneration: child.parentKeyGeneration!,
          wrappedKey: child.parentWrap!,
        });
      }
      return {
        entry: {
          nodeId: holder.id,
          principalId,
          wrappedKey: grant.wrappedKey,
          keyGeneration: grant.keyGeneration,
          ...(grant.principalKeyGeneration !== undefined && { principalKeyGeneration: grant.principalKeyGeneration }),
        },
        steps,
        chains: {},
      };
    }
    throw new Error('resolved without a grant');
  }

  private nodeView(userId: string, access: Access) {
    const { node } = access;
    return {
      nodeId: node.id,
      kind: node.kind,
      ownerId: node.ownerId,
      role: access.role,
      capabilities: access.capabilities,
      ...(node.parentId && { parentId: node.parentId }),
      limited: false,
      settings: node.settings,
      encryptedName: node.encryptedName,
      keyGeneration: node.keyGeneration,
      keyPath: this.keyPath(userId, access),
    };
  }

  /** Effective entries: each principal's highest live level over the scope, and where it comes from. */
  private permissions(access: Access) {
    const best = new Map<string, { principalId: string; role: Role; from: string; inherited: boolean; expiresAt?: string }>();
    access.scope.forEach((n, i) => {
      for (const [principalId, g] of n.grants) {
        if (!live(g)) continue;
        const role = i === 0 ? g.role : inherited(g.role);
        const current = best.get(principalId);
        if (current && rank(current.role) >= rank(role)) continue;
        best.set(principalId, { principalId, role, from: n.id, inherited: i > 0, ...(g.expiresAt && { expiresAt: g.expiresAt }) });
      }
    });
    return {
      nodeId: access.node.id,
      ownerId: access.node.ownerId,
      limited: false,
      entries: [...best.values()].map((e) => ({
        principalId: e.principalId,
        principalKind: e.principalId.startsWith('g:') ? 'group' : 'user',
        role: e.role,
        source: e.inherited ? 'inherited' : 'direct',
        ...(e.inherited && { inheritedFrom: e.from }),
        ...(e.expiresAt && { expiresAt: e.expiresAt }),
      })),
    };
  }

  private checkAccess(userId: string, nodeIds: string[]): Response {
    if (!Array.isArray(nodeIds) || nodeIds.length === 0 || nodeIds.length > 100) return error(400, 'VALIDATION_FAILED', 'Invalid body: nodeIds');
    const results = nodeIds.flatMap((id) => {
      const a = this.resolve(userId, id);
      return a ? [{ nodeId: id, role: a.role, capabilities: a.capabilities }] : [];
    });
    return json(200, { results });
  }

  // --- sharing -----------------------------------------------------------------------

  private async share(userId: string, access: Access, body: Record<string, any>): Promise<Response> {
    const refused = refuseWithout(access, 'share');
    if (refused) return refused;
    const grants = body.grants as { principalId: string; wrappedKey: string; fingerprint: string; role?: Role; expiresAt?: string }[];
    if (!Array.isArray(grants) || grants.length === 0 || grants.length > 50) return error(400, 'VALIDATION_FAILED', 'Invalid body: grants (1 to 50).');
    for (const g of grants) {
      const tooHigh = this.grantable(access, g.role ?? 'viewer');
      if (tooHigh) return tooHigh;
      if (g.expiresAt && !futureWithinAYear(g.expiresAt)) return error(422, 'BAD_EXPIRY', 'An expiry must be in the future and at most a year ahead.');
    }
    if (grants.some((g) => g.principalId === `u:${userId}`)) return error(400, 'VALIDATION_FAILED', 'You cannot share with yourself.');
    const current = (p: string) =>
      p.startsWith('u:') ? this.users.get(p.slice(2))?.profile : p.startsWith('g:') ? this.groups.get(p.slice(2)) : undefined;
    const unknown = grants.filter((g) => !current(g.principalId)).map((g) => g.principalId);
    if (unknown.length) return error(422, 'UNKNOWN_PRINCIPALS', `No such users or groups: ${unknown.join(', ')}.`, { principalIds: unknown });
    const stale = grants.filter((g) => current(g.principalId)!.fingerprint !== g.fingerprint).map((g) => g.principalId);
    if (stale.length) return error(409, 'STALE_PUBLIC_KEY', `The public key of ${stale.join(', ')} is not the one you wrapped for.`, { principalIds: stale });
    const { node } = access;
    if (body.keyGeneration !== node.keyGeneration) return error(409, 'KEY_CHANGED', 'The key changed: fetch it again and re-wrap.');
    const already = grants.filter((g) => node.grants.has(g.principalId)).map((g) => g.principalId);
    if (already.length) return error(409, 'ALREADY_SHARED', `Already shared with: ${already.join(', ')}.`, { principalIds: already });
    for (const g of grants) {
      const group = g.principalId.startsWith('g:') ? this.groups.get(g.principalId.slice(2)) : undefined;
      node.grants.set(g.principalId, {
        wrappedKey: g.wrappedKey,
        role: g.role ?? 'viewer',
        sharedAt: now(),
        keyGeneration: node.keyGeneration,
        ...(g.expiresAt && { expiresAt: new Date(g.expiresAt).toISOString() }),
        ...(group && { principalKeyGeneration: group.keyGeneration }),
      });
    }
    return json(200, { nodeId: node.id, sharedWith: grants.map((g) => g.principalId) });
  }

  private revoke(userId: string, access: Access, body: Record<string, any>): Response {
    const ids = body.principalIds as string[];
    const leaving = ids.length === 1 && ids[0] === `u:${userId}`;
    if (!leaving) {
      const refused = refuseWithout(access, 'manage');
      if (refused) return refused;
    }
    const { node } = access;
    const missing = ids.filter((p) => !node.grants.has(p));
    if (missing.length) return error(409, 'NOT_SHARED', `Not shared directly with: ${missing.join(', ')}.`, { principalIds: missing });
    for (const p of ids) {
      const role = node.grants.get(p)!.role;
      if (role === 'owner') return error(403, 'CANNOT_REVOKE_OWNER', 'The owner keeps access: transfer ownership first.');
      const tooHigh = leaving ? undefined : this.grantable(access, role);
      if (tooHigh) return tooHigh;
    }
    for (const p of ids) node.grants.delete(p);
    return json(200, { nodeId: node.id, revoked: ids });
  }

  /** POST /documents/{id}/rotate (docs/versions.md): a new key generation for exactly the direct grantees. */
  private rotate(access: Access, body: Record<string, any>): Response {
    const refused = refuseWithout(access, 'manage');
    if (refused) return refused;
    const { node } = access;
    if (body.keyGeneration !== node.keyGeneration + 1) {
      return error(409, 'KEY_GENERATION_CHANGED', `The document is at key generation ${node.keyGeneration}.`, { keyGeneration: node.keyGeneration });
    }
    const sent = (body.grants as { principalId: string; wrappedKey: string }[]).map((g) => g.principalId).sort();
    const direct = [...node.grants.keys()].sort();
    if (JSON.stringify(sent) !== JSON.stringify(direct)) {
      return error(409, 'GRANTEES_CHANGED', 'Wrap the new key for exactly the direct grantees.', {
        missing: direct.filter((p) => !sent.includes(p)),
        unexpected: sent.filter((p) => !direct.includes(p)),
      });
    }
    node.keyChain = { ...node.keyChain, [String(node.keyGeneration)]: body.chainWrap };
    node.keyGeneration = body.keyGeneration;
    node.encryptedName = body.encryptedName;
    for (const g of body.grants as { principalId: string; wrappedKey: string; principalKeyGeneration?: number }[]) {
      const grant = node.grants.get(g.principalId)!;
      node.grants.set(g.principalId, {
        ...grant,
        wrappedKey: g.wrappedKey,
        keyGeneration: body.keyGeneration,
        ...(g.principalKeyGeneration !== undefined ? { principalKeyGeneration: g.principalKeyGeneration } : {}),
      });
    }
    // The fake keeps no links: a rotation makes none stale.
    return json(200, { documentId: node.id, keyGeneration: node.keyGeneration, staleLinks: 0 });
  }

  private changeGrant(access: Access, principalId: string, body: Record<string, any>): Response {
    const refused = refuseWithout(access, 'manage');
    if (refused) return refused;
    const grant = access.node.grants.get(principalId);
    if (!grant) return error(409, 'NOT_SHARED', `Not shared directly with ${principalId}.`);
    if (grant.role === 'owner') return error(403, 'CANNOT_REVOKE_OWNER', "The owner's level changes only by a transfer.");
    const tooHigh = this.grantable(access, grant.role) ?? this.grantable(access, body.role);
    if (tooHigh) return tooHigh;
    if (body.expiresAt && !futureWithinAYear(body.expiresAt)) return error(422, 'BAD_EXPIRY', 'An expiry must be in the future and at most a year ahead.');
    grant.role = body.role;
    if (body.expiresAt) grant.expiresAt = new Date(body.expiresAt).toISOString();
    else delete grant.expiresAt;
    return json(200, { nodeId: access.node.id, principalId, role: grant.role, ...(grant.expiresAt && { expiresAt: grant.expiresAt }) });
  }

  private transfer(userId: string, access: Access, newOwnerId: string): Response {
    const refused = refuseWithout(access, 'transfer');
    if (refused) return refused;
    const { node } = access;
    const grant = node.grants.get(`u:${newOwnerId}`);
    if (!grant || !live(grant)) return error(422, 'NEW_OWNER_HAS_NO_KEY', 'Share it with the new owner first: the new owner must already hold the key.');
    grant.role = 'owner';
    delete grant.expiresAt;
    node.grants.get(`u:${userId}`)!.role = 'manager';
    node.ownerId = newOwnerId;
    return json(200, { nodeId: node.id, ownerId: newOwnerId, previousOwner: { userId, role: 'manager' } });
  }

  private grantable(access: Access, role: Role): Response | undefined {
    const upTo = grantableUpTo(access.role, { kind: 'member', editorsCanShare: access.node.settings.editorsCanShare });
    if (!upTo || role === 'owner' || rank(role) > rank(upTo)) {
      return error(403, 'LEVEL_TOO_HIGH', `You can grant or change levels up to ${upTo ?? 'none'} here, not ${role}.`);
    }
    return undefined;
  }

  private getGroup(groupId: string): Response {
    const g = this.groups.get(groupId);
    if (!g) return error(404, 'GROUP_NOT_FOUND', 'No such group, or you are not in it.');
    return json(200, {
      groupId,
      name: g.name,
      keyGeneration: g.keyGeneration,
      publicKey: g.publicKey,
      fingerprint: g.fingerprint,
      memberCount: g.members.size,
      createdAt: now(),
    });
  }

  /** GET /groups: the caller's groups with the material its keyring opens (direct memberships only here). */
  private keyring(userId: string): Response {
    const groups = [...this.groups.values()]
      .filter((g) => g.members.has(userId) && g.sealedPrivateKey && g.wrappedSecrets?.[userId])
      .map((g) => ({
        groupId: g.groupId,
        name: g.name,
        keyGeneration: g.keyGeneration,
        publicKey: g.publicKey,
        fingerprint: g.fingerprint,
        memberCount: g.members.size,
        sealedPrivateKey: g.sealedPrivateKey!,
        sealedPrivateKeys: {},
        keyChain: {},
        via: `u:${userId}`,
        role: 'member',
        wrappedSecret: g.wrappedSecrets![userId]!,
        secretKeyGeneration: g.keyGeneration,
      }));
    return json(200, { groups });
  }

  // --- accounts and documents ------------------------------------------------------------

  private async register(body: Record<string, any>): Promise<Response> {
    if (this.users.has(body.userId)) return error(409, 'USER_EXISTS', 'This user id is taken: choose another.');
    const profile: OwnProfile = {
      userId: body.userId,
      name: body.name,
      ...(body.email && { email: body.email }),
      kind: 'member',
      publicKey: body.publicKey,
      fingerprint: await fingerprint(fromBase64Url(body.publicKey)),
      createdAt: now(),
    };
    this.users.set(body.userId, { profile, kdf: body.kdf, authKey: body.authKey, sealed: body.encryptedPrivateKey });
    return json(201, profile);
  }

  private issue(userId: string) {
    const accessToken = `at-${++this.counter}`;
    const refreshToken = `rt${String(++this.counter).padStart(41, '0')}`;
    this.accessTokens.set(accessToken, { userId, expired: false });
    this.refreshTokens.set(refreshToken, { userId, used: false });
    return {
      accessToken,
      tokenType: 'Bearer',
      expiresAt: new Date(Date.now() + this.settings.accessTtlMs).toISOString(),
      refreshToken,
      refreshExpiresAt: new Date(Date.now() + 30 * 86_400_000).toISOString(),
    };
  }

  private checkGrants(grants: GrantInput[]): Response | undefined {
    const unknown = grants.filter((g) => !this.users.has(g.userId)).map((g) => g.userId);
    if (unknown.length) return error(422, 'UNKNOWN_USERS', `No such users: ${unknown.join(', ')}.`, { userIds: unknown });
    const stale = grants.filter((g) => this.users.get(g.userId)!.profile.fingerprint !== g.fingerprint).map((g) => g.userId);
    if (stale.length) return error(409, 'STALE_PUBLIC_KEY', `The public key of ${stale.join(', ')} is not the one you wrapped for.`);
    return undefined;
  }

  /** POST /documents (grants for users) and POST /folders (the owner's wrapped key), optionally inside a folder. */
  private createNode(me: string, kind: FakeNode['kind'], body: Record<string, any>): Response {
    const id: string = kind === 'folder' ? body.folderId : body.documentId;
    const grants: GrantInput[] =
      kind === 'folder' ? [{ userId: me, wrappedKey: body.ownerWrappedKey, fingerprint: body.fingerprint }] : body.grants;
    if (!grants.some((g) => g.userId === me)) return error(400, 'VALIDATION_FAILED', 'grants must include the owner.');
    const problem = this.checkGrants(grants);
    if (problem) return problem;
    if (this.docs.has(id)) return error(409, 'DOCUMENT_EXISTS', 'A document with this id exists.');
    if (body.parentId) {
      const parent = this.resolve(me, body.parentId, 'folder');
      if (!parent) return error(404, 'NODE_NOT_FOUND', 'No such folder, or you have no access to it.');
      if (!parent.capabilities.includes('edit')) return error(403, 'CANNOT_EDIT', 'Your level does not allow editing here.');
    }
    const multipart = kind === 'document' && body.size > this.settings.multipartThreshold;
    const partCount = Math.ceil(body.size / this.settings.partSize);
    const uploadId = `up-${++this.counter}`;
    const node: FakeNode = {
      id,
      kind,
      ownerId: me,
      size: kind === 'document' ? body.size : 0,
      encryptedName: body.encryptedName,
      keyGeneration: body.keyGeneration,
      state: kind === 'folder' ? 'active' : 'pending',
      createdAt: now(),
      ...(body.parentId && { parentId: body.parentId, parentWrap: body.parentWrap, parentKeyGeneration: body.parentKeyGeneration }),
      settings: { editorsCanShare: true },
      grants: new Map(
        grants.map((g) => [
          `u:${g.userId}`,
          { wrappedKey: g.wrappedKey, role: g.userId === me ? 'owner' : 'viewer', sharedAt: now(), keyGeneration: body.keyGeneration },
        ]),
      ),
      upload: multipart ? { kind: 'multipart', uploadId, partCount } : { kind: 'single' },
    };
    this.docs.set(id, node);
    if (kind === 'folder') return json(201, { folderId: id, ...(node.parentId && { parentId: node.parentId }), path: [], keyGeneration: 1, createdAt: node.createdAt });
    const expiresAt = new Date(Date.now() + 900_000).toISOString();
    const upload = multipart
      ? {
          kind: 'multipart',
          uploadId,
          partSize: this.settings.partSize,
          parts: Array.from({ length: partCount }, (_, i) => ({ partNumber: i + 1, url: `${S3}/part/${uploadId}/${i + 1}` })),
          expiresAt,
        }
      : { kind: 'single', url: `${S3}/obj/${id}`, method: 'PUT', headers: { 'content-type': 'application/octet-stream' }, expiresAt };
    return json(201, { documentId: id, upload });
  }

  private complete(me: string, doc: FakeNode | undefined, body: Record<string, any>): Response {
    if (!doc || doc.ownerId !== me) return error(404, 'DOCUMENT_NOT_FOUND', 'No such document, or you have no access to it.');
    if (doc.state !== 'pending') return error(409, 'UPLOAD_ALREADY_COMPLETED', 'This upload was already completed.');
    if (doc.upload.kind === 'multipart') {
      const sent = (body.parts ?? []) as { partNumber: number; etag: string }[];
      const stored = this.parts.get(doc.upload.uploadId) ?? new Map();
      if (sent.length !== doc.upload.partCount || sent.some((p, i) => p.partNumber !== i + 1 || p.etag !== etagOf(stored.get(p.partNumber)))) {
        return error(400, 'VALIDATION_FAILED', `Send the ETag of each of the ${doc.upload.partCount} parts.`);
      }
      this.objects.set(doc.id, concat(sent.map((p) => stored.get(p.partNumber)!)));
    }
    const object = this.objects.get(doc.id);
    if (!object) return error(409, 'UPLOAD_MISSING', 'Upload the ciphertext to the presigned URL first.');
    if (object.length !== doc.size) return error(422, 'SIZE_MISMATCH', `The uploaded object has ${object.length} bytes, not ${doc.size}.`);
    doc.state = 'active';
    const own = doc.grants.get(`u:${me}`)!;
    return json(200, summary(doc, own.role, own));
  }

  /** The caller's live direct grants ("mine and shared with me"), documents and folders. */
  private list(me: string, url: URL): Response {
    const limit = Number(url.searchParams.get('limit') ?? 50);
    const start = Number(url.searchParams.get('cursor')?.slice(1) ?? 0);
    const own = `u:${me}`;
    const mine = [...this.docs.values()].filter((d) => {
      const g = d.grants.get(own);
      return d.state === 'active' && g && live(g);
    });
    const page = mine.slice(start, start + limit);
    const next = start + limit < mine.length ? `c${start + limit}` : undefined;
    return json(200, { documents: page.map((d) => summary(d, d.grants.get(own)!.role, d.grants.get(own))), ...(next && { cursor: next }) });
  }

  private storage(call: Call, url: URL): Response {
    const obj = /^\/obj\/(.+)$/.exec(url.pathname);
    const part = /^\/part\/([^/]+)\/(\d+)$/.exec(url.pathname);
    if (call.method === 'PUT' && obj) {
      this.objects.set(obj[1]!, call.bytes ?? new Uint8Array());
      return new Response(null, { status: 200, headers: { etag: etagOf(call.bytes) } });
    }
    if (call.method === 'PUT' && part) {
      const parts = this.parts.get(part[1]!) ?? new Map<number, Uint8Array>();
      parts.set(Number(part[2]), call.bytes ?? new Uint8Array());
      this.parts.set(part[1]!, parts);
      return new Response(null, { status: 200, headers: { etag: etagOf(call.bytes) } });
    }
    if (call.method === 'GET' && obj) {
      const bytes = this.objects.get(obj[1]!);
      if (!bytes) return new Response('<Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message></Error>', { status: 404 });
      return new Response(bytes as Uint8Array<ArrayBuffer>, { status: 200 });
    }
    return new Response('<Error><Code>MethodNotAllowed</Code></Error>', { status: 405 });
  }
}

/** What GET /documents lists; `wrappedKey` only for a direct grant of the node's current key generation. */
function summary(node: FakeNode, role: Role, grant: Grant | undefined) {
  return {
    documentId: node.id,
    kind: node.kind,
    ownerId: node.ownerId,
    role,
    ...(node.parentId && { parentId: node.parentId }),
    size: node.size,
    encryptedName: node.encryptedName,
    keyGeneration: node.keyGeneration,
    version: node.kind === 'document' ? 1 : 0,
    createdAt: node.createdAt,
    sharedAt: grant?.sharedAt ?? node.createdAt,
    ...(grant && grant.keyGeneration === node.keyGeneration && { wrappedKey: grant.wrappedKey }),
  };
}

function refuseWithout(access: Access, capability: Capability): Response | undefined {
  if (access.capabilities.includes(capability)) return undefined;
  const [code, message] = FORBIDDEN[capability] ?? ['FORBIDDEN', 'You cannot do this.'];
  return error(403, code, message);
}

function live(grant: Grant): boolean {
  return grant.expiresAt === undefined || Date.parse(grant.expiresAt) > Date.now();
}

function futureWithinAYear(iso: string): boolean {
  const at = Date.parse(iso);
  return at > Date.now() && at - Date.now() <= YEAR_MS;
}

function publicProfile(p: OwnProfile) {
  return { userId: p.userId, name: p.name, kind: p.kind, publicKey: p.publicKey, fingerprint: p.fingerprint };
}

export function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
}

export function error(status: number, code: string, message: string, details?: Record<string, unknown>): Response {
  return json(status, { error: { code, message, ...(details && { details }) } });
}

function now(): string {
  return new Date().toISOString();
}

/** A stand-in ETag: length and a cheap checksum, quoted like S3's. */
function etagOf(bytes: Uint8Array | undefined): string {
  let sum = 0;
  for (const b of bytes ?? []) sum = (sum * 31 + b) >>> 0;
  return `"${bytes?.length ?? 0}-${sum.toString(16)}"`;
}

function concat(chunks: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let offset = 0;
  for (const c of chunks) {
    out.set(c, offset);
    offset += c.length;
  }
  return out;
}

async function readBody(body: Uint8Array | ReadableStream<Uint8Array>): Promise<Uint8Array> {
  if (body instanceof Uint8Array) return new Uint8Array(body);
  const chunks: Uint8Array[] = [];
  const reader = body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
  }
  return concat(chunks);
}

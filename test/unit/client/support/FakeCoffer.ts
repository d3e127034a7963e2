import { fingerprint, fromBase64Url } from '../../../../shared/crypto/index.js';
import type { GrantInput } from '../../../../shared/schemas/documents.js';
import type { OwnProfile } from '../../../../shared/schemas/users.js';

/**
 * An in-memory stand-in for the Coffer API and its presigned object storage, behind a
 * fetch function. It follows the route table and the shared schemas closely enough to
 * drive the SDK's flows; the integration test drives the real handlers.
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

interface Grant {
  wrappedKey: string;
  role: 'owner' | 'viewer';
  sharedAt: string;
}

interface Doc {
  id: string;
  ownerId: string;
  size: number;
  encryptedName: string;
  keyGeneration: number;
  state: 'pending' | 'active';
  createdAt: string;
  grants: Map<string, Grant>;
  upload: { kind: 'single' } | { kind: 'multipart'; uploadId: string; partCount: number };
}

export const API = 'http://coffer.test';
export const S3 = 'http://s3.test';

export class FakeCoffer {
  readonly users = new Map<string, UserRecord>();
  readonly docs = new Map<string, Doc>();
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
    if (method === 'POST' && path === '/documents') return this.createDocument(me, body);
    if (method === 'GET' && path === '/documents') return this.list(me, url);
    const m = /^\/documents\/([^/]+)(?:\/(complete|share|revoke))?$/.exec(path);
    if (m) {
      const id = decodeURIComponent(m[1]!);
      const doc = this.docs.get(id);
      const grant = doc?.grants.get(me);
      if (m[2] === 'complete') return this.complete(me, doc, body);
      if (!doc || doc.state !== 'active' || !grant) return error(404, 'DOCUMENT_NOT_FOUND', 'No such document, or you have no access to it.');
      if (method === 'GET' && !m[2]) {
        return json(200, {
          ...summary(doc, grant),
          download: { url: `${S3}/obj/${id}`, expiresAt: new Date(Date.now() + 300_000).toISOString() },
          ...(grant.role === 'owner' && {
            grants: [...doc.grants].map(([userId, g]) => ({ userId, role: g.role, sharedAt: g.sharedAt })),
          }),
        });
      }
      if (grant.role !== 'owner') return error(403, 'NOT_OWNER', 'Only the owner of this document can do this.');
      if (method === 'POST' && m[2] === 'share') {
        const grants = body.grants as GrantInput[];
        const problem = await this.checkGrants(grants);
        if (problem) return problem;
        const already = grants.filter((g) => doc.grants.has(g.userId)).map((g) => g.userId);
        if (already.length) return error(409, 'ALREADY_SHARED', `Already shared with: ${already.join(', ')}.`);
        for (const g of grants) doc.grants.set(g.userId, { wrappedKey: g.wrappedKey, role: 'viewer', sharedAt: now() });
        return json(200, { documentId: id, sharedWith: grants.map((g) => g.userId) });
      }
      if (method === 'POST' && m[2] === 'revoke') {
        const ids = body.userIds as string[];
        const missing = ids.filter((u) => !doc.grants.has(u));
        if (missing.length) return error(409, 'NOT_SHARED', `Not shared with: ${missing.join(', ')}.`);
        for (const u of ids) doc.grants.delete(u);
        return json(200, { documentId: id, revoked: ids });
      }
      if (method === 'DELETE' && !m[2]) {
        this.docs.delete(id);
        this.objects.delete(id);
        return new Response(null, { status: 204 });
      }
    }
    return error(404, 'ROUTE_NOT_FOUND', 'No such route.');
  }

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

  private async checkGrants(grants: GrantInput[]): Promise<Response | undefined> {
    const unknown = grants.filter((g) => !this.users.has(g.userId)).map((g) => g.userId);
    if (unknown.length) return error(422, 'UNKNOWN_USERS', `No such users: ${unknown.join(', ')}.`, { userIds: unknown });
    const stale = grants.filter((g) => this.users.get(g.userId)!.profile.fingerprint !== g.fingerprint).map((g) => g.userId);
    if (stale.length) return error(409, 'KEY_CHANGED', `The public key of ${stale.join(', ')} is not the one you wrapped for.`);
    return undefined;
  }

  private async createDocument(me: string, body: Record<string, any>): Promise<Response> {
    const grants = body.grants as GrantInput[];
    if (!grants.some((g) => g.userId === me)) return error(400, 'VALIDATION_FAILED', 'grants must include the owner.');
    const problem = await this.checkGrants(grants);
    if (problem) return problem;
    if (this.docs.has(body.documentId)) return error(409, 'DOCUMENT_EXISTS', 'A document with this id exists.');
    const multipart = body.size > this.settings.multipartThreshold;
    const partCount = Math.ceil(body.size / this.settings.partSize);
    const uploadId = `up-${++this.counter}`;
    const doc: Doc = {
      id: body.documentId,
      ownerId: me,
      size: body.size,
      encryptedName: body.encryptedName,
      keyGeneration: body.keyGeneration,
      state: 'pending',
      createdAt: now(),
      grants: new Map(grants.map((g) => [g.userId, { wrappedKey: g.wrappedKey, role: g.userId === me ? 'owner' : 'viewer', sharedAt: now() }])),
      upload: multipart ? { kind: 'multipart', uploadId, partCount } : { kind: 'single' },
    };
    this.docs.set(doc.id, doc);
    const expiresAt = new Date(Date.now() + 900_000).toISOString();
    const upload = multipart
      ? {
          kind: 'multipart',
          uploadId,
          partSize: this.settings.partSize,
          parts: Array.from({ length: partCount }, (_, i) => ({ partNumber: i + 1, url: `${S3}/part/${uploadId}/${i + 1}` })),
          expiresAt,
        }
      : { kind: 'single', url: `${S3}/obj/${doc.id}`, method: 'PUT', headers: { 'content-type': 'application/octet-stream' }, expiresAt };
    return json(201, { documentId: doc.id, upload });
  }

  private complete(me: string, doc: Doc | undefined, body: Record<string, any>): Response {
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
    return json(200, summary(doc, doc.grants.get(me)!));
  }

  private list(me: string, url: URL): Response {
    const limit = Number(url.searchParams.get('limit') ?? 50);
    const start = Number(url.searchParams.get('cursor')?.slice(1) ?? 0);
    const mine = [...this.docs.values()].filter((d) => d.state === 'active' && d.grants.has(me));
    const page = mine.slice(start, start + limit);
    const next = start + limit < mine.length ? `c${start + limit}` : undefined;
    return json(200, { documents: page.map((d) => summary(d, d.grants.get(me)!)), ...(next && { cursor: next }) });
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

function summary(doc: Doc, grant: Grant) {
  return {
    documentId: doc.id,
    ownerId: doc.ownerId,
    role: grant.role,
    size: doc.size,
    encryptedName: doc.encryptedName,
    keyGeneration: doc.keyGeneration,
    version: 1,
    createdAt: doc.createdAt,
    sharedAt: grant.sharedAt,
    wrappedKey: grant.wrappedKey,
  };
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

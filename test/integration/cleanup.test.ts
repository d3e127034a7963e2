import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetCommand, PutCommand, QueryCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { LOCAL_STACK_FILE, LocalStackNotRunning } from '../../infra/local/localStackFile.js';
import { formatReport, runLocalCleanup } from '../../infra/local/runLocalCleanup.js';
import { encryptBytes, encryptMetadata, generateDataKey, wrapKeyUnderKey } from '../../shared/core/crypto/index.js';
import { deleteItems, grantItem, markDeleting } from '../../shared/server/data/documents.js';
import { type FolderMeta, markFolderDeleting } from '../../shared/server/data/folders.js';
import { indexKeys, keys, objectKey, principal } from '../../shared/server/data/keys.js';
import { linkItem } from '../../shared/server/data/links.js';
import { commentField, newCommentId } from '../../shared/core/api/schemas/comments.js';
import { ServiceUnavailable } from '../../shared/core/errors/index.js';
import { type CleanupReport, RESUME_AFTER_SECONDS, RETRY_AFTER_SECONDS, runCleanup } from '../../shared/server/services/cleanup/index.js';
import { type Actor, grantFor, newDocumentId, register, shareGrant, upload, type UploadedDocument } from '../helpers/actors.js';
import { childLabel, type FolderHandle, folderGrant, mkdir, uploadInto } from '../helpers/folders.js';
import { api } from '../helpers/http.js';
import { type LocalStack, startLocalStack } from '../helpers/localStack.js';
import { readAuditEvents } from '../../shared/server/data/auditChain.js';

/**
 * The cleanup job (docs/links.md, "Cleanup") against DynamoDB Local and s3rver: one mixture of
 * live and dead things per stack, a clock the tests move, and exact reports, table state,
 * objects and audit events. s3rver implements no AbortMultipartUpload (it answers 405), so the
 * abort is checked on the object-store port.
 */

const HOUR = 3600_000;
const DAY = 24 * HOUR;
const MiB = 1024 * 1024;
const text = (s: string) => new TextEncoder().encode(s);

/** A stack whose handlers and cleanup run on a clock the test moves. */
interface Env {
  stack: LocalStack;
  offsetMs: number;
  now(): number;
}

async function startEnv(options: { dataDir?: string } = {}): Promise<Env> {
  const env = { offsetMs: 0 } as Env;
  env.now = () => Date.now() + env.offsetMs;
  env.stack = await startLocalStack({
    clock: () => env.now(),
    settings: { multipartThreshold: MiB, partSize: MiB },
    ...(options.dataDir ? { inMemory: false, dataDir: options.dataDir } : {}),
  });
  return env;
}

const iso = (ms: number) => new Date(ms).toISOString();

/** A fresh access token at the stack's current time (tokens live 15 minutes). */
async function login(env: Env, actor: Actor): Promise<void> {
  const res = await api(env.stack.url, 'POST', '/auth/token', { body: { userId: actor.userId, authKey: actor.authKey } });
  if (res.status !== 200) throw new Error(`login ${actor.userId}: ${res.status}`);
  actor.accessToken = res.body.accessToken;
}

/** POST /documents and nothing more: a pending upload, optionally PUT (never completed). */
async function createPending(env: Env, owner: Actor, options: { size?: number; put?: boolean; folder?: FolderHandle } = {}) {
  const documentId = newDocumentId();
  const dek = generateDataKey();
  const ciphertext = await encryptBytes(dek, { documentId, version: 1 }, text(`pending ${documentId}`));
  const { folder } = options;
  const res = await api(env.stack.url, 'POST', '/documents', {
    token: owner.accessToken,
    body: {
      documentId,
      size: options.size ?? ciphertext.length,
      keyGeneration: 1,
      encryptedName: await encryptMetadata(dek, documentId, 'name', 'pending.txt'),
      grants: [await grantFor(owner, documentId, dek)],
      ...(folder
        ? {
            parentId: folder.folderId,
            parentWrap: await wrapKeyUnderKey(folder.key, dek, childLabel(documentId, 1, folder.folderId, folder.generation)),
            parentKeyGeneration: folder.generation,
          }
        : {}),
    },
  });
  if (res.status !== 201) throw new Error(`create pending: ${res.status} ${JSON.stringify(res.body)}`);
  if (options.put) {
    const put = await fetch(res.body.upload.url, { method: 'PUT', body: Buffer.from(ciphertext) });
    if (!put.ok) throw new Error(`PUT: ${put.status}`);
  }
  return { documentId, upload: res.body.upload as { kind: 'single' | 'multipart'; uploadId?: string } };
}

/** A link item in the docs/links.md shape, with its gsi1 and gsi2 entries, written directly. */
async function putLink(env: Env, nodeId: string, createdBy: string, expiresAtMs: number): Promise<string> {
  const linkId = randomBytes(16).toString('hex');
  const item = linkItem({
    linkId,
    nodeId,
    nodeKind: 'document',
    createdBy,
    createdAt: iso(env.now()),
    linkExpiresAt: iso(expiresAtMs),
    access: 'download',
    audience: { mode: 'anyone' },
    downloads: 0,
    accessCount: 0,
    keyGeneration: 1,
    wrappedKey: 'A'.repeat(82),
    failedAttempts: 0,
  });
  await env.stack.deps.db.doc.send(new PutCommand({ TableName: env.stack.table, Item: item }));
  return linkId;
}

async function getItem(env: Env, key: { pk: string; sk: string }) {
  return (await env.stack.deps.db.doc.send(new GetCommand({ TableName: env.stack.table, Key: key, ConsistentRead: true }))).Item;
}

async function partition(env: Env, nodeId: string) {
  const out = await env.stack.deps.db.doc.send(
    new QueryCommand({
      TableName: env.stack.table,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': keys.nodePartition(nodeId) },
      ConsistentRead: true,
    }),
  );
  return out.Items ?? [];
}

/** The node ids a principal's "shared with me" index (gsi1) lists. */
async function sharedWith(env: Env, actor: Actor): Promise<string[]> {
  const out = await env.stack.deps.db.doc.send(
    new QueryCommand({
      TableName: env.stack.table,
      IndexName: 'gsi1',
      KeyConditionExpression: 'gsi1pk = :p AND begins_with(gsi1sk, :g)',
      ExpressionAttributeValues: { ':p': indexKeys.principalPartition(principal.user(actor.userId)), ':g': 'GRANT#' },
    }),
  );
  return (out.Items ?? []).map((i) => i.nodeId as string);
}

async function objectExists(env: Env, key: string): Promise<boolean> {
  try {
    await env.stack.deps.objects.size(key);
    return true;
  } catch (error) {
    if ((error as { code?: string }).code === 'OBJECT_NOT_FOUND') return false;
    throw error;
  }
}

/** Every item of the table, sorted: test-only (the job itself never scans). */
async function snapshot(env: Env): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const out = await env.stack.deps.db.doc.send(new ScanCommand({ TableName: env.stack.table, ExclusiveStartKey: startKey, ConsistentRead: true }));
    items.push(...(out.Items ?? []));
    startKey = out.LastEvaluatedKey;
  } while (startKey);
  return items.sort((a, b) => `${a.pk}|${a.sk}`.localeCompare(`${b.pk}|${b.sk}`));
}

/** The system's audit events (the cleanup's), on every chain. */
async function systemEvents(env: Env): Promise<Record<string, any>[]> {
  return (await readAuditEvents(env.stack.deps.db)).filter((e) => e.actorKind === 'system');
}

const sum = (...reports: CleanupReport[]): CleanupReport =>
  reports.reduce(
    (a, r) => ({
      expiredLinks: a.expiredLinks + r.expiredLinks,
      expiredGrants: a.expiredGrants + r.expiredGrants,
      abandonedUploads: a.abandonedUploads + r.abandonedUploads,
      resumedDeletes: a.resumedDeletes + r.resumedDeletes,
      abandonedVersions: a.abandonedVersions + r.abandonedVersions,
      prunedVersions: a.prunedVersions + r.prunedVersions,
      skipped: a.skipped + r.skipped,
      failed: a.failed + r.failed,
    }),
    { expiredLinks: 0, expiredGrants: 0, abandonedUploads: 0, resumedDeletes: 0, abandonedVersions: 0, prunedVersions: 0, skipped: 0, failed: 0 },
  );

/** What every run's report must show for the mixture: its dead things, once. */
const EXPECTED = { expiredLinks: 1, expiredGrants: 3, abandonedUploads: 3, resumedDeletes: 2, abandonedVersions: 0, prunedVersions: 0 } as const;

/**
 * The mixture, built at T0. After the clock moves 24 h + 1 s: one expired link (one live), three
 * expired shares (a document's, a folder's, and one left on a node that is gone; one live share
 * with a later expiry), three
 * abandoned uploads (single PUT done, multipart, in a folder; a younger one survives), a
 * document delete and a folder delete interrupted half-way, and one foreign expiry entry.
 */
interface Mixture {
  alice: Actor;
  bob: Actor;
  carol: Actor;
  linkedDoc: UploadedDocument;
  expiredLink: string;
  liveLink: string;
  sharedDoc: UploadedDocument;
  sharedFolder: FolderHandle;
  orphanGrantNode: string;
  carolExpiry: string;
  abandoned: { single: string; multipart: { documentId: string; uploadId: string }; inFolder: string };
  young: string;
  deletedDoc: UploadedDocument;
  deletedDocLink: string;
  deletedFolder: { folder: FolderHandle; sub: FolderHandle; a: UploadedDocument; b: UploadedDocument; aLink: string };
  foreign: { pk: string; sk: string };
}

async function buildMixture(env: Env, tag: string): Promise<Mixture> {
  const url = env.stack.url;
  const [alice, bob, carol] = (await Promise.all(['alice', 'bob', 'carol'].map((u) => register(url, `${u}-${tag}`)))) as [Actor, Actor, Actor];
  const t0 = env.now();

  // Links on a live document: one expires in an hour, one in a week.
  const linkedDoc = await upload(url, alice, text('linked'), 'linked.txt');
  const expiredLink = await putLink(env, linkedDoc.documentId, alice.userId, t0 + HOUR);
  const liveLink = await putLink(env, linkedDoc.documentId, alice.userId, t0 + 7 * DAY);

  // Shares: bob's expire in 5 minutes (a document and a folder), carol's in 30 days.
  const sharedDoc = await upload(url, alice, text('shared'), 'shared.txt', []);
  const bobExpiry = iso(t0 + 5 * 60_000);
  const carolExpiry = iso(t0 + 30 * DAY);
  const shared = await api(url, 'POST', `/nodes/${sharedDoc.documentId}/share`, {
    token: alice.accessToken,
    body: {
      keyGeneration: 1,
      grants: [
        { ...(await shareGrant(bob, sharedDoc.documentId, sharedDoc.dek)), expiresAt: bobExpiry },
        { ...(await shareGrant(carol, sharedDoc.documentId, sharedDoc.dek)), expiresAt: carolExpiry },
      ],
    },
  });
  expect(shared.status).toBe(200);
  const sharedFolder = await mkdir(url, alice, 'shared-folder');
  const folderShare = await api(url, 'POST', `/nodes/${sharedFolder.folderId}/share`, {
    token: alice.accessToken,
    body: { keyGeneration: 1, grants: [{ ...(await folderGrant(bob, sharedFolder)), expiresAt: bobExpiry }] },
  });
  expect(folderShare.status).toBe(200);
  // A grant item whose node is gone (no META holds its ACL entry).
  const orphanGrantNode = newDocumentId();
  const orphan = grantItem({
    nodeId: orphanGrantNode,
    principalId: principal.user(bob.userId),
    userId: bob.userId,
    role: 'viewer',
    wrappedKey: 'A'.repeat(82),
    keyGeneration: 1,
    grantedBy: alice.userId,
    sharedAt: iso(t0),
    grantExpiresAt: bobExpiry,
  });
  await env.stack.deps.db.doc.send(new PutCommand({ TableName: env.stack.table, Item: orphan }));

  // Uploads created and never completed: a single PUT whose bytes arrived, a multipart, one in a folder.
  const single = await createPending(env, alice, { put: true });
  const multipart = await createPending(env, alice, { size: Math.round(2.5 * MiB) });
  expect(multipart.upload.kind).toBe('multipart');
  const uploads = await mkdir(url, alice, 'uploads');
  const inFolder = await createPending(env, alice, { folder: uploads });

  // A document delete that stopped right after marking: items, grants, comment, link and object left.
  const deletedDoc = await upload(url, alice, text('deleted'), 'deleted.txt', [carol]);
  const commentId = newCommentId(env.now());
  const comment = await api(url, 'POST', `/documents/${deletedDoc.documentId}/comments`, {
    token: alice.accessToken,
    body: { commentId, ciphertext: await encryptMetadata(deletedDoc.dek, deletedDoc.documentId, commentField(commentId), 'hi'), keyGeneration: 1 },
  });
  expect(comment.status).toBe(201);
  const deletedDocLink = await putLink(env, deletedDoc.documentId, alice.userId, t0 + 7 * DAY);
  await markDeleting(env.stack.deps.db, deletedDoc.documentId, alice.userId, iso(env.now()));

  // A folder delete that stopped half-way: b's version and object already gone, the rest left.
  const folder = await mkdir(url, alice, 'doomed');
  const sub = await mkdir(url, alice, 'sub', folder);
  const a = await uploadInto(url, alice, folder, text('a'), 'a.txt');
  const b = await uploadInto(url, alice, sub, text('b'), 'b.txt');
  const aLink = await putLink(env, a.documentId, alice.userId, t0 + 7 * DAY);
  const folderMeta = (await getItem(env, keys.nodeMeta(folder.folderId))) as unknown as FolderMeta;
  await markFolderDeleting(env.stack.deps.db, folderMeta, iso(env.now()));
  await deleteItems(env.stack.deps.db, [keys.nodeVersion(b.documentId, 1)]);
  await env.stack.deps.objects.deleteObjects([objectKey(b.documentId, 1)]);

  // An expiry entry of a kind the cleanup does not know: counted as skipped, never touched.
  const foreign = { pk: `OTHER#${tag}`, sk: 'OTHER' };
  await env.stack.deps.db.doc.send(
    new PutCommand({ TableName: env.stack.table, Item: { ...foreign, type: 'other', ...indexKeys.byExpiry(iso(t0), foreign.pk, foreign.sk) } }),
  );

  // 23 hours later, a younger upload: still within its 24 hours when the others are abandoned.
  env.offsetMs += 23 * HOUR;
  await login(env, alice);
  const young = await createPending(env, alice);
  env.offsetMs += HOUR + 1000;
  // From here the others' 24 hours have passed, and the deletes are older than RESUME_AFTER_SECONDS.
  expect(env.offsetMs).toBeGreaterThan(RESUME_AFTER_SECONDS * 1000);
  await Promise.all([alice, bob, carol].map((actor) => login(env, actor)));

  return {
    alice,
    bob,
    carol,
    linkedDoc,
    expiredLink,
    liveLink,
    sharedDoc,
    sharedFolder,
    orphanGrantNode,
    carolExpiry,
    abandoned: {
      single: single.documentId,
      multipart: { documentId: multipart.documentId, uploadId: multipart.upload.uploadId! },
      inFolder: inFolder.documentId,
    },
    young: young.documentId,
    deletedDoc,
    deletedDocLink,
    deletedFolder: { folder, sub, a, b, aLink },
    foreign,
  };
}

/** Everything dead is gone and everything live is as it was. */
async function expectCleaned(env: Env, m: Mixture, before: { liveLink: unknown; carolGrant: unknown; foreign: unknown; youngMeta: unknown }) {
  const url = env.stack.url;
  // Links: the expired one gone, the live one untouched, item for item.
  expect(await getItem(env, keys.link(m.expiredLink))).toBeUndefined();
  expect(await getItem(env, keys.link(m.liveLink))).toEqual(before.liveLink);

  // Shares: bob's grant items and ACL entries gone, carol's untouched; bob's "shared with me" empty.
  expect(await getItem(env, keys.grant(m.orphanGrantNode, `u:${m.bob.userId}`))).toBeUndefined();
  expect(await getItem(env, keys.nodeMeta(m.orphanGrantNode))).toBeUndefined();
  for (const nodeId of [m.sharedDoc.documentId, m.sharedFolder.folderId]) {
    expect(await getItem(env, keys.grant(nodeId, `u:${m.bob.userId}`))).toBeUndefined();
    const meta = (await getItem(env, keys.nodeMeta(nodeId)))!;
    expect(meta.acl[`u:${m.bob.userId}`]).toBeUndefined();
    expect(meta.acl[`u:${m.alice.userId}`]).toEqual({ role: 'owner' });
  }
  expect((await getItem(env, keys.nodeMeta(m.sharedDoc.documentId)))!.acl[`u:${m.carol.userId}`]).toEqual({ role: 'viewer', expiresAt: m.carolExpiry });
  expect(await getItem(env, keys.grant(m.sharedDoc.documentId, `u:${m.carol.userId}`))).toEqual(before.carolGrant);
  expect(await sharedWith(env, m.bob)).toEqual([]);
  expect(await sharedWith(env, m.carol)).toEqual([m.sharedDoc.documentId]);
  const carolList = await api(url, 'GET', '/documents', { token: m.carol.accessToken });
  expect(carolList.body.documents.map((d: { documentId: string }) => d.documentId)).toEqual([m.sharedDoc.documentId]);
  const perms = await api(url, 'GET', `/nodes/${m.sharedDoc.documentId}/permissions`, { token: m.alice.accessToken });
  expect(perms.body.entries.map((e: { principalId: string }) => e.principalId).sort()).toEqual([`u:${m.alice.userId}`, `u:${m.carol.userId}`]);

  // Abandoned uploads: every item and object gone; the younger one untouched.
  for (const nodeId of [m.abandoned.single, m.abandoned.multipart.documentId, m.abandoned.inFolder]) {
    expect(await partition(env, nodeId)).toEqual([]);
    expect(await objectExists(env, objectKey(nodeId, 1))).toBe(false);
  }
  expect(await getItem(env, keys.nodeMeta(m.young))).toEqual(before.youngMeta);

  // Interrupted deletes: the document, the folder and its whole subtree gone, with their links and objects.
  const { folder, sub, a, b } = m.deletedFolder;
  for (const nodeId of [m.deletedDoc.documentId, folder.folderId, sub.folderId, a.documentId, b.documentId]) {
    expect(await partition(env, nodeId)).toEqual([]);
  }
  for (const doc of [m.deletedDoc, a, b]) expect(await objectExists(env, objectKey(doc.documentId, 1))).toBe(false);
  expect(await getItem(env, keys.link(m.deletedDocLink))).toBeUndefined();
  expect(await getItem(env, keys.link(m.deletedFolder.aLink))).toBeUndefined();
  expect(await sharedWith(env, m.carol)).not.toContain(m.deletedDoc.documentId);

  // The live documents still open, and the foreign entry is untouched.
  expect(await objectExists(env, objectKey(m.linkedDoc.documentId, 1))).toBe(true);
  expect(await objectExists(env, objectKey(m.sharedDoc.documentId, 1))).toBe(true);
  expect(await getItem(env, m.foreign)).toEqual(before.foreign);
}

async function liveState(env: Env, m: Mixture) {
  return {
    liveLink: await getItem(env, keys.link(m.liveLink)),
    carolGrant: await getItem(env, keys.grant(m.sharedDoc.documentId, `u:${m.carol.userId}`)),
    foreign: await getItem(env, m.foreign),
    youngMeta: await getItem(env, keys.nodeMeta(m.young)),
  };
}

/** Exactly one audit event per action, each naming what it was about. */
function expectAuditTrail(events: Record<string, any>[], m: Mixture): void {
  const byAction = (action: string) => events.filter((e) => e.operation === action);
  for (const e of events) {
    expect(e).toMatchObject({ actorId: '', actorKind: 'system', status: 200, sourceIp: '' });
    expect(typeof e.requestId).toBe('string');
  }
  expect(byAction('link.expire').map((e) => e.targets)).toEqual([{ linkId: m.expiredLink, nodeId: m.linkedDoc.documentId }]);
  expect(byAction('grant.expire').map((e) => e.targets).sort((x, y) => x.nodeId.localeCompare(y.nodeId))).toEqual(
    [
      { nodeId: m.sharedDoc.documentId, principalId: `u:${m.bob.userId}` },
      { nodeId: m.sharedFolder.folderId, principalId: `u:${m.bob.userId}` },
      { nodeId: m.orphanGrantNode, principalId: `u:${m.bob.userId}` },
    ].sort((x, y) => x.nodeId.localeCompare(y.nodeId)),
  );
  expect(byAction('grant.expire').find((e) => e.targets.nodeId === m.orphanGrantNode)!.details.nodeGone).toBe(true);
  expect(byAction('upload.abandon').map((e) => e.targets.nodeId).sort()).toEqual(
    [m.abandoned.single, m.abandoned.multipart.documentId, m.abandoned.inFolder].sort(),
  );
  expect(byAction('upload.abandon').find((e) => e.targets.nodeId === m.abandoned.multipart.documentId)!.details.upload).toBe('multipart');
  expect(byAction('delete.resume').map((e) => e.targets.nodeId).sort()).toEqual([m.deletedDoc.documentId, m.deletedFolder.folder.folderId].sort());
  expect(events).toHaveLength(EXPECTED.expiredLinks + EXPECTED.expiredGrants + EXPECTED.abandonedUploads + EXPECTED.resumedDeletes);
  // Ids and small facts only: never a token, a key or a wrap.
  expect(JSON.stringify(events)).not.toContain('A'.repeat(82));
}

describe('runCleanup, one run then two at once', () => {
  let env: Env;
  let dataDir: string;
  let m: Mixture;
  let before: Awaited<ReturnType<typeof liveState>>;
  let first: CleanupReport;
  const abort = vi.fn();

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'coffer-cleanup-'));
    env = await startEnv({ dataDir });
    m = await buildMixture(env, 'seq');
    before = await liveState(env, m);
    const objects = env.stack.deps.objects;
    const original = objects.abortMultipartUpload.bind(objects);
    vi.spyOn(objects, 'abortMultipartUpload').mockImplementation(async (key, uploadId) => {
      abort(key, uploadId);
      await original(key, uploadId);
    });
    first = await env.stack.cleanup();
  });
  afterAll(async () => {
    await env?.stack.stop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('reports exactly what it did', () => {
    expect(first).toEqual({ ...EXPECTED, skipped: 1, failed: 0 });
  });

  it('leaves only live things: links, shares, ACLs, "shared with me", objects', async () => {
    await expectCleaned(env, m, before);
  });

  it('aborts the abandoned multipart upload', () => {
    expect(abort).toHaveBeenCalledWith(objectKey(m.abandoned.multipart.documentId, 1), m.abandoned.multipart.uploadId);
  });

  it('records one system audit event per action', async () => {
    expectAuditTrail(await systemEvents(env), m);
  });

  it('bumps rev on a node whose expired grant it removed', async () => {
    // The share was one registry change (rev 2 after create), the expiry another.
    const meta = (await getItem(env, keys.nodeMeta(m.sharedFolder.folderId)))!;
    const revAfterShare = 2;
    expect(meta.rev).toBe(revAfterShare + 1);
  });

  it('changes nothing and fails nothing when run twice more at once', async () => {
    const state = await snapshot(env);
    const reports = await Promise.all([env.stack.cleanup(), runCleanup(env.stack.deps)]);
    for (const report of reports) expect(report).toEqual({ expiredLinks: 0, expiredGrants: 0, abandonedUploads: 0, resumedDeletes: 0, abandonedVersions: 0, prunedVersions: 0, skipped: 1, failed: 0 });
    expect(await snapshot(env)).toEqual(state);
  });

  it('finishes a purge that failed half-way on a later run, once its claim lapses', async () => {
    const pending = await createPending(env, m.alice, { put: true });
    env.offsetMs += DAY + 1000;
    // S3 fails for this upload's object only (the younger upload of the mixture is due too now).
    const objects = env.stack.deps.objects;
    const original = objects.deleteObjects.bind(objects);
    const deleteObjects = vi.spyOn(objects, 'deleteObjects').mockImplementation(async (objectKeys) => {
      if (objectKeys.includes(objectKey(pending.documentId, 1))) throw new ServiceUnavailable();
      await original(objectKeys);
    });
    const failedRun = await env.stack.cleanup();
    deleteObjects.mockRestore();
    // The upload was claimed (marked deleting, audited), then its purge failed; the younger one went.
    expect(failedRun).toEqual({ expiredLinks: 0, expiredGrants: 0, abandonedUploads: 1, resumedDeletes: 0, abandonedVersions: 0, prunedVersions: 0, skipped: 1, failed: 1 });
    expect(await partition(env, m.young)).toEqual([]);
    expect((await getItem(env, keys.nodeMeta(pending.documentId)))!.state).toBe('deleting');
    expect(await objectExists(env, objectKey(pending.documentId, 1))).toBe(true);

    // Claimed: not due again until RETRY_AFTER_SECONDS have passed.
    const idle = { expiredLinks: 0, expiredGrants: 0, abandonedUploads: 0, resumedDeletes: 0, abandonedVersions: 0, prunedVersions: 0, skipped: 1, failed: 0 };
    expect(await env.stack.cleanup()).toEqual(idle);
    env.offsetMs += (RETRY_AFTER_SECONDS + RESUME_AFTER_SECONDS) * 1000 + 1000;
    expect(await env.stack.cleanup()).toEqual({ ...idle, resumedDeletes: 1 });
    expect(await partition(env, pending.documentId)).toEqual([]);
    expect(await objectExists(env, objectKey(pending.documentId, 1))).toBe(false);
    const events = (await systemEvents(env)).filter((e) => e.targets.nodeId === pending.documentId);
    expect(events.map((e) => e.operation).sort()).toEqual(['delete.resume', 'upload.abandon']);
  });

  it('writes local-stack.json for `npm run cleanup`, which runs the same job against it', async () => {
    const file = JSON.parse(await readFile(join(dataDir, LOCAL_STACK_FILE), 'utf8'));
    expect(file).toEqual({ endpoints: env.stack.endpoints, table: env.stack.table, bucket: env.stack.bucket, url: env.stack.url });
    // Its own (real) clock: nothing is due but the foreign entry.
    const report = await runLocalCleanup(dataDir);
    expect(report).toEqual({ expiredLinks: 0, expiredGrants: 0, abandonedUploads: 0, resumedDeletes: 0, abandonedVersions: 0, prunedVersions: 0, skipped: 1, failed: 0 });
    expect(formatReport(report)).toEqual([
      'expiredLinks: 0',
      'expiredGrants: 0',
      'abandonedUploads: 0',
      'resumedDeletes: 0',
      'abandonedVersions: 0',
      'prunedVersions: 0',
      'skipped: 1',
      'failed: 0',
    ]);
  });

  it('removes local-stack.json on stop, after which `npm run cleanup` says to start Coffer', async () => {
    await env.stack.stop();
    expect(existsSync(join(dataDir, LOCAL_STACK_FILE))).toBe(false);
    await expect(runLocalCleanup(dataDir)).rejects.toThrow(LocalStackNotRunning);
    await expect(runLocalCleanup(dataDir)).rejects.toThrow(/npm start/);
  });
});

describe('runCleanup, two first runs at once', () => {
  let env: Env;
  let m: Mixture;
  let before: Awaited<ReturnType<typeof liveState>>;

  beforeAll(async () => {
    env = await startEnv();
    m = await buildMixture(env, 'par');
    before = await liveState(env, m);
  });
  afterAll(() => env?.stack.stop());

  it('both succeed, and together do each thing exactly once', async () => {
    const [a, b] = await Promise.all([env.stack.cleanup(), runCleanup(env.stack.deps, { concurrency: 3 })]);
    expect(a.failed).toBe(0);
    expect(b.failed).toBe(0);
    const total = sum(a, b);
    expect({ ...total, skipped: 0 }).toEqual({ ...EXPECTED, skipped: 0, failed: 0 });
    // Whatever one run did, the other skipped (lost the guard) or never saw; the foreign entry both skip.
    const actions = EXPECTED.expiredLinks + EXPECTED.expiredGrants + EXPECTED.abandonedUploads + EXPECTED.resumedDeletes;
    expect(total.skipped).toBeGreaterThanOrEqual(2);
    expect(total.skipped).toBeLessThanOrEqual(2 + actions);
    await expectCleaned(env, m, before);
    expectAuditTrail(await systemEvents(env), m);
  });
});

import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { s3Client } from '../../shared/server/config/clients.js';
import { reserveVersion } from '../../shared/server/data/versions.js';
import {
  decryptBytes,
  encryptBytes,
  encryptMetadata,
  fromBase64Url,
  generateDataKey,
  toBase64Url,
  unwrapKey,
  wrapKey,
  wrapKeyUnderKey,
} from '../../shared/core/crypto/index.js';
import { type Actor, register, shareGrant, upload, type UploadedDocument } from '../helpers/actors.js';
import { chainLabel, childLabel, mkdir, olderKey, openKeyPath, shareFolder, uploadInto } from '../helpers/folders.js';
import { api, type ApiResponse } from '../helpers/http.js';
import { type LocalStack, startLocalStack } from '../helpers/localStack.js';

/**
 * Versions, key generations and rotation (docs/versions.md) through the HTTP API, with real
 * crypto on DynamoDB Local and s3rver: each actor holds only what a client would hold.
 */
let stack: LocalStack;
let url: string;
let alice: Actor, bob: Actor, charlie: Actor, dora: Actor, mallory: Actor;
const text = (s: string) => new TextEncoder().encode(s);

beforeAll(async () => {
  stack = await startLocalStack();
  url = stack.url;
  [alice, bob, charlie, dora, mallory] = (await Promise.all(['alice', 'bob', 'charlie', 'dora', 'mallory'].map((u) => register(url, u)))) as [
    Actor, Actor, Actor, Actor, Actor,
  ];
});
afterAll(() => stack?.stop());

/** A document of alice's shared with bob (viewer) and charlie (editor), at key generation 1. */
async function sharedDocument(plaintext = 'version one'): Promise<UploadedDocument> {
  const doc = await upload(url, alice, text(plaintext), 'notes.txt');
  const shared = await api(url, 'POST', `/nodes/${doc.documentId}/share`, {
    token: alice.accessToken,
    body: { keyGeneration: 1, grants: [await shareGrant(bob, doc.documentId, doc.dek, 'viewer'), await shareGrant(charlie, doc.documentId, doc.dek, 'editor')] },
  });
  expect(shared.status).toBe(200);
  return doc;
}

interface Reserved {
  version: number;
  ciphertext: Uint8Array;
  reserved: ApiResponse;
}

/** POST /documents/{id}/versions, then the client encrypts for the number it got. */
async function reserve(by: Actor, documentId: string, dek: Uint8Array, plaintext: string, generation = 1, size?: number): Promise<Reserved & { status: number }> {
  // The ciphertext size does not depend on the version number: reserve first, then encrypt with it.
  const probe = await encryptBytes(dek, { documentId, version: 1 }, text(plaintext));
  const reserved = await api(url, 'POST', `/documents/${documentId}/versions`, {
    token: by.accessToken,
    body: { size: size ?? probe.length, keyGeneration: generation },
  });
  if (reserved.status !== 201) return { status: reserved.status, version: 0, ciphertext: probe, reserved };
  const ciphertext = await encryptBytes(dek, { documentId, version: reserved.body.version }, text(plaintext));
  return { status: 201, version: reserved.body.version, ciphertext, reserved };
}

async function put(reserved: ApiResponse, ciphertext: Uint8Array): Promise<void> {
  const res = await fetch(reserved.body.upload.url, { method: 'PUT', body: Buffer.from(ciphertext) });
  expect(res.ok).toBe(true);
}

const complete = (by: Actor, documentId: string, version: number, body: Record<string, unknown> = {}) =>
  api(url, 'POST', `/documents/${documentId}/versions/${version}/complete`, { token: by.accessToken, body });

/** Reserve, PUT and complete, retrying the reservation on CONCURRENT_UPDATE as the SDK does. Returns the version and how many retries it took. */
async function uploadVersion(by: Actor, documentId: string, dek: Uint8Array, plaintext: string, generation = 1): Promise<{ version: number; retries: number }> {
  for (let retries = 0; retries < 50; retries++) {
    const r = await reserve(by, documentId, dek, plaintext, generation);
    if (r.status === 409 && r.reserved.body.error.code === 'CONCURRENT_UPDATE') continue;
    expect(r.status, JSON.stringify(r.reserved.body)).toBe(201);
    await put(r.reserved, r.ciphertext);
    const done = await complete(by, documentId, r.version);
    expect(done.status, JSON.stringify(done.body)).toBe(200);
    return { version: r.version, retries };
  }
  throw new Error('no reservation in 50 attempts');
}

/** The current key of a document for `actor`, from GET /documents/{id} (a direct grant). */
async function currentKey(actor: Actor, documentId: string): Promise<{ key: Uint8Array; generation: number }> {
  const got = await api(url, 'GET', `/documents/${documentId}`, { token: actor.accessToken });
  expect(got.status).toBe(200);
  const { entry } = got.body.keyPath;
  const key = await unwrapKey(actor.privateKey, fromBase64Url(entry.wrappedKey), {
    kind: 'dek',
    resourceId: documentId,
    generation: entry.keyGeneration,
    recipientId: entry.principalId,
  });
  return { key, generation: entry.keyGeneration };
}

/** Downloads one version as `actor`: the current key down the document's key chain to the version's, then decrypt. */
async function readVersion(actor: Actor, documentId: string, version: number): Promise<string> {
  const got = await api(url, 'GET', `/documents/${documentId}/versions/${version}`, { token: actor.accessToken });
  expect(got.status, JSON.stringify(got.body)).toBe(200);
  const { key, generation } = await currentKey(actor, documentId);
  const dek = await olderKey(key, documentId, generation, got.body.keyGeneration, got.body.keyChain);
  const ciphertext = new Uint8Array(await (await fetch(got.body.download.url)).arrayBuffer());
  return new TextDecoder().decode(await decryptBytes(dek, { documentId, version }, ciphertext));
}

/** Downloads one version as a reader through folders: the key path, then the document's chain down to the version's key. */
async function readVersionThroughFolder(actor: Actor, documentId: string, version: number): Promise<string> {
  const got = await api(url, 'GET', `/documents/${documentId}/versions/${version}`, { token: actor.accessToken });
  expect(got.status).toBe(200);
  const current = await openKeyPath(actor, { nodeId: documentId, kind: 'document' }, got.body.keyPath);
  const steps = got.body.keyPath.steps as { keyGeneration: number }[];
  const generation = steps.at(-1)?.keyGeneration ?? got.body.keyPath.entry.keyGeneration;
  const dek = await olderKey(current, documentId, generation, got.body.keyGeneration, got.body.keyChain);
  const ciphertext = new Uint8Array(await (await fetch(got.body.download.url)).arrayBuffer());
  return new TextDecoder().decode(await decryptBytes(dek, { documentId, version }, ciphertext));
}

/** The body of POST /documents/{id}/rotate: a new key for `grantees`, the old one chained under it. */
async function rotationBody(documentId: string, oldKey: Uint8Array, oldGeneration: number, grantees: Actor[], newKey = generateDataKey()) {
  const generation = oldGeneration + 1;
  return {
    newKey,
    body: {
      keyGeneration: generation,
      chainWrap: await wrapKeyUnderKey(newKey, oldKey, chainLabel(documentId, oldGeneration)),
      encryptedName: await encryptMetadata(newKey, documentId, 'name', 'notes.txt'),
      grants: await Promise.all(
        grantees.map(async (a) => ({
          principalId: `u:${a.userId}`,
          wrappedKey: toBase64Url(await wrapKey(a.publicKey, newKey, { kind: 'dek', resourceId: documentId, generation, recipientId: `u:${a.userId}` })),
          fingerprint: a.fingerprint,
        })),
      ),
    },
  };
}

async function metaOf(documentId: string) {
  const out = await stack.deps.db.doc.send(new GetCommand({ TableName: stack.table, Key: { pk: `NODE#${documentId}`, sk: 'META' }, ConsistentRead: true }));
  return out.Item!;
}

async function partition(documentId: string) {
  const out = await stack.deps.db.doc.send(
    new QueryCommand({ TableName: stack.table, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': `NODE#${documentId}` }, ConsistentRead: true }),
  );
  return out.Items ?? [];
}

async function objectKeys(documentId: string): Promise<string[]> {
  const out = await s3Client(stack.endpoints).send(new ListObjectsV2Command({ Bucket: stack.bucket, Prefix: `docs/${documentId}/` }));
  return (out.Contents ?? []).map((o) => o.Key!).sort();
}

const versionsOf = async (actor: Actor, documentId: string, query = '') =>
  api(url, 'GET', `/documents/${documentId}/versions${query}`, { token: actor.accessToken });

describe('createVersion and completeVersion', () => {
  it('reserves the next number, keeps a pending version off reads, and makes it current on completion with its digest', async () => {
    const doc = await sharedDocument();
    const r = await reserve(charlie, doc.documentId, doc.dek, 'version two');
    expect(r.status).toBe(201);
    expect(r.reserved.body).toMatchObject({ documentId: doc.documentId, version: 2, keyGeneration: 1, upload: { kind: 'single', method: 'PUT' } });

    // Pending: not listed, not readable, and the document still reads version 1.
    expect((await versionsOf(bob, doc.documentId)).body.versions.map((v: { version: number }) => v.version)).toEqual([1]);
    const pendingGet = await api(url, 'GET', `/documents/${doc.documentId}/versions/2`, { token: bob.accessToken });
    expect(pendingGet.status).toBe(404);
    expect(pendingGet.body.error.code).toBe('VERSION_NOT_FOUND');
    expect((await api(url, 'GET', `/documents/${doc.documentId}`, { token: bob.accessToken })).body.version).toBe(1);

    await put(r.reserved, r.ciphertext);
    const digest = toBase64Url(crypto.getRandomValues(new Uint8Array(32)));
    const done = await complete(charlie, doc.documentId, 2, { digest });
    expect(done.status).toBe(200);
    expect(done.body).toEqual({ version: 2, size: r.ciphertext.length, keyGeneration: 1, createdBy: 'charlie', createdAt: expect.any(String), digest, current: true });

    const listed = await versionsOf(bob, doc.documentId);
    expect(listed.status).toBe(200);
    expect(listed.body.versions.map((v: { version: number; current: boolean }) => [v.version, v.current])).toEqual([[2, true], [1, false]]);
    expect(listed.body.cursor).toBeUndefined();
    const got = await api(url, 'GET', `/documents/${doc.documentId}`, { token: bob.accessToken });
    expect(got.body).toMatchObject({ version: 2, size: r.ciphertext.length, digest, keyChain: {} });
    expect(await readVersion(bob, doc.documentId, 2)).toBe('version two');
    expect(await readVersion(bob, doc.documentId, 1)).toBe('version one');
    const v1 = await api(url, 'GET', `/documents/${doc.documentId}/versions/1`, { token: bob.accessToken });
    expect(v1.body).toMatchObject({ documentId: doc.documentId, version: 1, size: doc.ciphertext.length, keyGeneration: 1, keyChain: {}, role: 'viewer' });
    expect(v1.body).not.toHaveProperty('digest');
    expect(v1.body.capabilities).toContain('download');

    const again = await complete(charlie, doc.documentId, 2);
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('UPLOAD_ALREADY_COMPLETED');
  });

  it('keeps the first version on its own routes, with the digest on its version item', async () => {
    const digest = toBase64Url(new Uint8Array(32).fill(7));
    const documentId = toBase64Url(crypto.getRandomValues(new Uint8Array(16)));
    const dek = generateDataKey();
    const ciphertext = await encryptBytes(dek, { documentId, version: 1 }, text('first'));
    const created = await api(url, 'POST', '/documents', {
      token: alice.accessToken,
      body: {
        documentId,
        size: ciphertext.length,
        keyGeneration: 1,
        encryptedName: await encryptMetadata(dek, documentId, 'name', 'first.txt'),
        grants: [{ userId: 'alice', wrappedKey: toBase64Url(await wrapKey(alice.publicKey, dek, { kind: 'dek', resourceId: documentId, generation: 1, recipientId: 'u:alice' })), fingerprint: alice.fingerprint }],
      },
    });
    expect(created.status).toBe(201);
    await put(created, ciphertext);
    const bad = await api(url, 'POST', `/documents/${documentId}/complete`, { token: alice.accessToken, body: { digest: 'not-a-digest' } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('VALIDATION_FAILED');
    const done = await api(url, 'POST', `/documents/${documentId}/complete`, { token: alice.accessToken, body: { digest } });
    expect(done.status).toBe(200);
    expect((await api(url, 'GET', `/documents/${documentId}`, { token: alice.accessToken })).body).toMatchObject({ version: 1, digest, keyChain: {} });
    const listed = await versionsOf(alice, documentId);
    expect(listed.body.versions).toEqual([{ version: 1, size: ciphertext.length, keyGeneration: 1, createdBy: 'alice', createdAt: expect.any(String), digest, current: true }]);
  });

  it('refuses viewers (403), strangers (404), a wrong size, a missing object, and someone else completing', async () => {
    const doc = await sharedDocument();
    const viewer = await reserve(bob, doc.documentId, doc.dek, 'nope');
    expect(viewer.status).toBe(403);
    expect(viewer.reserved.body.error.code).toBe('CANNOT_EDIT');
    const stranger = await reserve(mallory, doc.documentId, doc.dek, 'nope');
    expect(stranger.status).toBe(404);
    expect(stranger.reserved.body.error.code).toBe('DOCUMENT_NOT_FOUND');

    const r = await reserve(charlie, doc.documentId, doc.dek, 'two');
    const missing = await complete(charlie, doc.documentId, r.version);
    expect(missing.status).toBe(409);
    expect(missing.body.error.code).toBe('UPLOAD_MISSING');
    for (const other of [alice, bob]) {
      const res = await complete(other, doc.documentId, r.version);
      expect(res.status).toBe(other === bob ? 403 : 404);
      expect(res.body.error.code).toBe(other === bob ? 'CANNOT_EDIT' : 'UPLOAD_NOT_FOUND');
    }
    const byMallory = await complete(mallory, doc.documentId, r.version);
    expect(byMallory.status).toBe(404);
    expect(byMallory.body.error.code).toBe('DOCUMENT_NOT_FOUND');
    await put(r.reserved, r.ciphertext.subarray(1));
    const short = await complete(charlie, doc.documentId, r.version);
    expect(short.status).toBe(422);
    expect(short.body.error.code).toBe('SIZE_MISMATCH');
    expect(await objectKeys(doc.documentId)).toEqual([`docs/${doc.documentId}/v1`]);
    // The version stays pending: the uploader sends the right bytes and completes.
    await put(r.reserved, r.ciphertext);
    expect((await complete(charlie, doc.documentId, r.version)).status).toBe(200);
    expect(await readVersion(bob, doc.documentId, r.version)).toBe('two');
  });

  it('answers 400 for version numbers that are not positive 32-bit integers and 404 for unknown ones', async () => {
    const doc = await sharedDocument();
    for (const bad of ['0', '-1', '01', '1.0', 'abc', '2147483648', '99999999999']) {
      const res = await api(url, 'GET', `/documents/${doc.documentId}/versions/${bad}`, { token: bob.accessToken });
      expect(res.status, bad).toBe(400);
      expect(res.body.error.code).toBe('VALIDATION_FAILED');
    }
    const unknown = await api(url, 'GET', `/documents/${doc.documentId}/versions/2147483647`, { token: bob.accessToken });
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe('VERSION_NOT_FOUND');
    const body = await api(url, 'POST', `/documents/${doc.documentId}/versions`, { token: charlie.accessToken, body: { size: 0, keyGeneration: 1 } });
    expect(body.status).toBe(400);
  });

  it('pages active versions newest first, and refuses a cursor of another document', async () => {
    const doc = await sharedDocument();
    for (const n of [2, 3, 4]) expect((await uploadVersion(charlie, doc.documentId, doc.dek, `v${n}`)).version).toBe(n);
    const pending = await reserve(charlie, doc.documentId, doc.dek, 'pending');
    expect(pending.version).toBe(5);
    const seen: number[] = [];
    let cursor: string | undefined;
    do {
      const page = await versionsOf(bob, doc.documentId, `?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      expect(page.status).toBe(200);
      expect(page.body.versions.length).toBeLessThanOrEqual(2);
      seen.push(...page.body.versions.map((v: { version: number }) => v.version));
      cursor = page.body.cursor;
    } while (cursor);
    expect(seen).toEqual([4, 3, 2, 1]);

    const other = await sharedDocument();
    const first = await versionsOf(bob, doc.documentId, '?limit=1');
    const foreign = await versionsOf(bob, other.documentId, `?cursor=${first.body.cursor}`);
    expect(foreign.status).toBe(400);
    expect(foreign.body.error.code).toBe('VALIDATION_FAILED');
  });
});

describe('concurrent versions', () => {
  it('gives concurrent editors consecutive numbers: each reservation wins or gets CONCURRENT_UPDATE and wins on retry; none is lost', async () => {
    const doc = await sharedDocument();
    const editors = [charlie, dora, ...(await Promise.all(Array.from({ length: 8 }, (_, i) => register(url, `editor-${i}`))))];
    const shared = await api(url, 'POST', `/nodes/${doc.documentId}/share`, {
      token: alice.accessToken,
      body: { keyGeneration: 1, grants: await Promise.all(editors.filter((e) => e !== charlie).map((e) => shareGrant(e, doc.documentId, doc.dek, 'editor'))) },
    });
    expect(shared.status).toBe(200);
    const results = await Promise.all(editors.map((e) => uploadVersion(e, doc.documentId, doc.dek, `content of ${e.userId}`)));
    const numbers = results.map((r) => r.version).sort((a, b) => a - b);
    expect(numbers).toEqual(Array.from({ length: editors.length }, (_, i) => i + 2));
    const listed = await versionsOf(bob, doc.documentId, '?limit=100');
    expect(listed.body.versions.map((v: { version: number }) => v.version)).toEqual([11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1]);
    for (const [i, e] of editors.entries()) expect(await readVersion(bob, doc.documentId, results[i]!.version)).toBe(`content of ${e.userId}`);
    expect(await metaOf(doc.documentId)).toMatchObject({ currentVersion: 11, nextVersion: 11 });
  }, 30_000);

  it('refuses a reservation made from a stale read (the optimistic condition): 409 CONCURRENT_UPDATE, nothing written', async () => {
    const doc = await sharedDocument();
    const read = { nodeId: doc.documentId, keyGeneration: 1, lastVersion: 1, hadNextVersion: false };
    const item = (createdBy: string) => ({
      nodeId: doc.documentId,
      version: 2,
      size: 100,
      objectKey: `docs/${doc.documentId}/v2`,
      keyGeneration: 1,
      createdBy,
      createdAt: new Date().toISOString(),
      state: 'pending' as const,
      upload: { kind: 'single' as const },
      abandonAt: new Date(Date.now() + 3600_000).toISOString(),
    });
    await reserveVersion(stack.deps.db, read, item('charlie'), [], new Date().toISOString());
    const after = await partition(doc.documentId);
    // Same read, as a concurrent editor would have made it before the first one committed.
    await expect(reserveVersion(stack.deps.db, read, item('dora'), [], new Date().toISOString())).rejects.toMatchObject({ code: 'CONCURRENT_UPDATE' });
    await expect(reserveVersion(stack.deps.db, { ...read, lastVersion: 2, hadNextVersion: true }, { ...item('dora'), version: 3 }, [], new Date().toISOString())).resolves.toBeUndefined();
    expect((await partition(doc.documentId)).filter((i) => i.sk === 'VERSION#000000002')).toEqual(after.filter((i) => i.sk === 'VERSION#000000002'));
    expect(await metaOf(doc.documentId)).toMatchObject({ nextVersion: 3, currentVersion: 1 });
  });

  it('lets the second of two racing reservations retry with a fresh read', async () => {
    const doc = await sharedDocument();
    const [one, two] = await Promise.all([reserve(charlie, doc.documentId, doc.dek, 'a'), reserve(alice, doc.documentId, doc.dek, 'b')]);
    const statuses = [one, two].map((r) => (r.status === 201 ? 'won' : r.reserved.body.error.code)).sort();
    expect(statuses.every((s) => s === 'won' || s === 'CONCURRENT_UPDATE')).toBe(true);
    const won = [one, two].filter((r) => r.status === 201).map((r) => r.version);
    expect(won.length).toBeGreaterThanOrEqual(1);
    expect(new Set(won).size).toBe(won.length);
  });
});

describe('key generations and rotation', () => {
  it('refuses a stale generation at create and at completion after a rotation, with nothing changed', async () => {
    const doc = await sharedDocument();
    const r = await reserve(charlie, doc.documentId, doc.dek, 'under generation one');
    await put(r.reserved, r.ciphertext);
    const { body } = await rotationBody(doc.documentId, doc.dek, 1, [alice, bob, charlie]);
    const rotated = await api(url, 'POST', `/documents/${doc.documentId}/rotate`, { token: alice.accessToken, body });
    expect(rotated.status).toBe(200);
    expect(rotated.body).toEqual({ documentId: doc.documentId, keyGeneration: 2, staleLinks: 0 });

    const before = await partition(doc.documentId);
    const late = await complete(charlie, doc.documentId, r.version);
    expect(late.status).toBe(409);
    expect(late.body.error).toMatchObject({ code: 'KEY_GENERATION_STALE', details: { keyGeneration: 2 } });
    expect(await partition(doc.documentId)).toEqual(before);
    expect((await versionsOf(bob, doc.documentId)).body.versions.map((v: { version: number }) => v.version)).toEqual([1]);

    for (const generation of [1, 3]) {
      const stale = await reserve(charlie, doc.documentId, doc.dek, 'x', generation);
      expect(stale.status).toBe(409);
      expect(stale.reserved.body.error).toMatchObject({ code: 'KEY_GENERATION_STALE', details: { keyGeneration: 2 } });
    }
    expect(await partition(doc.documentId)).toEqual(before);
  });

  it('rotates in one transaction: grants re-wrapped, the old key chained, readers open every version', async () => {
    const doc = await sharedDocument();
    await uploadVersion(charlie, doc.documentId, doc.dek, 'two under g1');
    const { body, newKey } = await rotationBody(doc.documentId, doc.dek, 1, [alice, bob, charlie]);
    const rotated = await api(url, 'POST', `/documents/${doc.documentId}/rotate`, { token: alice.accessToken, body });
    expect(rotated.status).toBe(200);

    const meta = await metaOf(doc.documentId);
    expect(meta).toMatchObject({ keyGeneration: 2, keyChain: { '1': body.chainWrap }, encryptedName: body.encryptedName });
    const grants = (await partition(doc.documentId)).filter((i) => String(i.sk).startsWith('GRANT#'));
    expect(grants.map((g) => [g.principalId, g.keyGeneration]).sort()).toEqual([['u:alice', 2], ['u:bob', 2], ['u:charlie', 2]]);
    for (const actor of [bob, charlie]) expect(await currentKey(actor, doc.documentId)).toEqual({ key: newKey, generation: 2 });

    const three = await uploadVersion(charlie, doc.documentId, newKey, 'three under g2', 2);
    expect(three.version).toBe(3);
    const v2 = await api(url, 'GET', `/documents/${doc.documentId}/versions/2`, { token: bob.accessToken });
    expect(v2.body).toMatchObject({ version: 2, keyGeneration: 1, keyChain: { '1': body.chainWrap } });
    expect(v2.body).not.toHaveProperty('wrappedKey');
    expect(await readVersion(bob, doc.documentId, 1)).toBe('version one');
    expect(await readVersion(bob, doc.documentId, 2)).toBe('two under g1');
    expect(await readVersion(bob, doc.documentId, 3)).toBe('three under g2');
    expect((await api(url, 'GET', `/documents/${doc.documentId}`, { token: bob.accessToken })).body).toMatchObject({ version: 3, keyGeneration: 2, keyChain: {} });
  });

  it('refuses a wrong generation, changed grantees, a stale public key, a parent wrap at the root and non-managers, writing nothing', async () => {
    const doc = await sharedDocument();
    const before = await partition(doc.documentId);
    const attempt = async (by: Actor, body: unknown) => api(url, 'POST', `/documents/${doc.documentId}/rotate`, { token: by.accessToken, body });
    const good = (await rotationBody(doc.documentId, doc.dek, 1, [alice, bob, charlie])).body;

    const cases: [string, Actor, unknown, number, string, Record<string, unknown>?][] = [
      ['generation + 2', alice, { ...good, keyGeneration: 3 }, 409, 'KEY_GENERATION_CHANGED', { keyGeneration: 1 }],
      ['same generation', alice, { ...good, keyGeneration: 1 }, 409, 'KEY_GENERATION_CHANGED', { keyGeneration: 1 }],
      ['bob missing', alice, { ...good, grants: good.grants.filter((g) => g.principalId !== 'u:bob') }, 409, 'GRANTEES_CHANGED', { missing: ['u:bob'], unexpected: [] }],
      ['dora unexpected', alice, (await rotationBody(doc.documentId, doc.dek, 1, [alice, bob, charlie, dora])).body, 409, 'GRANTEES_CHANGED', { missing: [], unexpected: ['u:dora'] }],
      ['stale key', alice, { ...good, grants: good.grants.map((g) => (g.principalId === 'u:bob' ? { ...g, fingerprint: mallory.fingerprint } : g)) }, 409, 'STALE_PUBLIC_KEY', { principalIds: ['u:bob'] }],
      ['parent wrap at the root', alice, { ...good, parentWrap: good.chainWrap, parentKeyGeneration: 1 }, 400, 'VALIDATION_FAILED'],
      ['an editor', charlie, good, 403, 'CANNOT_MANAGE'],
      ['a stranger', mallory, good, 404, 'DOCUMENT_NOT_FOUND'],
    ];
    for (const [name, by, body, status, code, details] of cases) {
      const res = await attempt(by, body);
      expect(res.status, name).toBe(status);
      expect(res.body.error.code, name).toBe(code);
      if (details) expect(res.body.error.details, name).toEqual(details);
      expect(await partition(doc.documentId), name).toEqual(before);
    }
  });

  it('rotates a document in a folder with the new key under the folder key: folder readers open it, a stale or missing parent wrap is refused', async () => {
    const folder = await mkdir(url, alice, 'Shared');
    await shareFolder(url, alice, folder, dora, 'viewer');
    const doc = await uploadInto(url, alice, folder, text('in a folder'), 'f.txt');
    const before = await partition(doc.documentId);
    const { body, newKey } = await rotationBody(doc.documentId, doc.dek, 1, [alice]);
    const parentWrap = await wrapKeyUnderKey(folder.key, newKey, childLabel(doc.documentId, 2, folder.folderId, 1));
    const attempt = (extra: Record<string, unknown>) =>
      api(url, 'POST', `/documents/${doc.documentId}/rotate`, { token: alice.accessToken, body: { ...body, ...extra } });

    const missing = await attempt({});
    expect([missing.status, missing.body.error.code]).toEqual([400, 'VALIDATION_FAILED']);
    const stale = await attempt({ parentWrap, parentKeyGeneration: 2 });
    expect([stale.status, stale.body.error.code]).toEqual([409, 'PARENT_KEY_CHANGED']);
    expect(await partition(doc.documentId)).toEqual(before);

    expect((await attempt({ parentWrap, parentKeyGeneration: 1 })).status).toBe(200);
    expect(await metaOf(doc.documentId)).toMatchObject({ keyGeneration: 2, parentWrap, parentKeyGeneration: 1 });
    // Dora reads through the folder: her key path now ends in the new key; the chain leads to version 1's.
    const got = await api(url, 'GET', `/documents/${doc.documentId}`, { token: dora.accessToken });
    expect(await openKeyPath(dora, { nodeId: doc.documentId, kind: 'document' }, got.body.keyPath)).toEqual(newKey);
    expect(got.body).toMatchObject({ version: 1, keyGeneration: 1, keyChain: { '1': body.chainWrap } });
    expect(await readVersionThroughFolder(dora, doc.documentId, 1)).toBe('in a folder');
  });

  it('marks the key due for rotation on revoke (and on leaving): uploads get KEY_ROTATION_REQUIRED until a manager rotates', async () => {
    const doc = await sharedDocument();
    const revoked = await api(url, 'POST', `/nodes/${doc.documentId}/revoke`, { token: alice.accessToken, body: { principalIds: ['u:bob'] } });
    expect(revoked.status).toBe(200);
    expect((await metaOf(doc.documentId)).rotationDue).toBe(true);
    const refused = await reserve(charlie, doc.documentId, doc.dek, 'x');
    expect(refused.status).toBe(409);
    expect(refused.reserved.body.error.code).toBe('KEY_ROTATION_REQUIRED');

    const { body, newKey } = await rotationBody(doc.documentId, doc.dek, 1, [alice, charlie]);
    expect((await api(url, 'POST', `/documents/${doc.documentId}/rotate`, { token: alice.accessToken, body })).status).toBe(200);
    expect(await metaOf(doc.documentId)).not.toHaveProperty('rotationDue');
    expect((await uploadVersion(charlie, doc.documentId, newKey, 'after rotation', 2)).version).toBe(2);

    const left = await api(url, 'POST', `/nodes/${doc.documentId}/revoke`, { token: charlie.accessToken, body: { principalIds: ['u:charlie'] } });
    expect(left.status).toBe(200);
    expect((await metaOf(doc.documentId)).rotationDue).toBe(true);
  });
});

describe('retention (keepVersions)', () => {
  it('prunes versions beyond the newest N after a completion: objects gone from S3, items gone, reads 404', async () => {
    const doc = await sharedDocument();
    const set = await api(url, 'PUT', `/nodes/${doc.documentId}/settings`, { token: alice.accessToken, body: { keepVersions: 2 } });
    expect(set.status).toBe(200);
    expect(set.body.settings).toEqual({ editorsCanShare: true, keepVersions: 2 });
    await uploadVersion(charlie, doc.documentId, doc.dek, 'two');
    expect(await objectKeys(doc.documentId)).toEqual([`docs/${doc.documentId}/v1`, `docs/${doc.documentId}/v2`]);
    await uploadVersion(charlie, doc.documentId, doc.dek, 'three');
    expect(await objectKeys(doc.documentId)).toEqual([`docs/${doc.documentId}/v2`, `docs/${doc.documentId}/v3`]);
    expect((await versionsOf(bob, doc.documentId)).body.versions.map((v: { version: number }) => v.version)).toEqual([3, 2]);
    const gone = await api(url, 'GET', `/documents/${doc.documentId}/versions/1`, { token: bob.accessToken });
    expect(gone.status).toBe(404);
    expect(gone.body.error.code).toBe('VERSION_NOT_FOUND');
    expect((await partition(doc.documentId)).filter((i) => String(i.sk).startsWith('VERSION#')).map((i) => i.version)).toEqual([2, 3]);

    // Down to one: the next completion prunes both older ones. Null keeps everything again.
    expect((await api(url, 'PUT', `/nodes/${doc.documentId}/settings`, { token: alice.accessToken, body: { keepVersions: 1 } })).status).toBe(200);
    await uploadVersion(charlie, doc.documentId, doc.dek, 'four');
    expect(await objectKeys(doc.documentId)).toEqual([`docs/${doc.documentId}/v4`]);
    const cleared = await api(url, 'PUT', `/nodes/${doc.documentId}/settings`, { token: alice.accessToken, body: { keepVersions: null } });
    expect(cleared.body.settings).toEqual({ editorsCanShare: true });
    await uploadVersion(charlie, doc.documentId, doc.dek, 'five');
    expect(await objectKeys(doc.documentId)).toEqual([`docs/${doc.documentId}/v4`, `docs/${doc.documentId}/v5`]);
  });

  it('validates keepVersions: 1 to 1000 or null, documents only, the owner only, editorsCanShare kept', async () => {
    const doc = await sharedDocument();
    const put = (by: Actor, nodeId: string, body: unknown) => api(url, 'PUT', `/nodes/${nodeId}/settings`, { token: by.accessToken, body });
    for (const body of [{}, { keepVersions: 0 }, { keepVersions: 1001 }, { keepVersions: 2.5 }, { keepVersions: '3' }]) {
      const res = await put(alice, doc.documentId, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error.code).toBe('VALIDATION_FAILED');
    }
    expect((await put(charlie, doc.documentId, { keepVersions: 3 })).body.error.code).toBe('NOT_OWNER');
    expect((await put(alice, doc.documentId, { editorsCanShare: false })).body.settings).toEqual({ editorsCanShare: false });
    expect((await put(alice, doc.documentId, { keepVersions: 1000 })).body.settings).toEqual({ editorsCanShare: false, keepVersions: 1000 });
    expect((await put(alice, doc.documentId, { editorsCanShare: true })).body.settings).toEqual({ editorsCanShare: true, keepVersions: 1000 });
    const folder = await api(url, 'POST', '/folders', {
      token: alice.accessToken,
      body: await (async () => {
        const { folderBody } = await import('../helpers/folders.js');
        return (await folderBody(alice, 'f')).body;
      })(),
    });
    const onFolder = await put(alice, folder.body.folderId, { keepVersions: 2 });
    expect(onFolder.status).toBe(422);
    expect(onFolder.body.error.code).toBe('NOT_A_DOCUMENT');
  });
});

describe('BOLA: other users’ documents and versions', () => {
  it('answers strangers 404 on every version route, and never serves a version number of another document', async () => {
    const doc = await sharedDocument();
    await uploadVersion(charlie, doc.documentId, doc.dek, 'two');
    const mine = await upload(url, mallory, text('mallory'), 'm.txt');
    const routes: [string, string, unknown?][] = [
      ['GET', `/documents/${doc.documentId}/versions`],
      ['GET', `/documents/${doc.documentId}/versions/1`],
      ['GET', `/documents/${doc.documentId}/versions/2`],
      ['POST', `/documents/${doc.documentId}/versions`, { size: 100, keyGeneration: 1 }],
      ['POST', `/documents/${doc.documentId}/versions/2/complete`, {}],
      ['POST', `/documents/${doc.documentId}/rotate`, (await rotationBody(doc.documentId, doc.dek, 1, [alice, bob, charlie])).body],
    ];
    for (const [method, path, body] of routes) {
      const res = await api(url, method, path, { token: mallory.accessToken, ...(body ? { body } : {}) });
      expect(res.status, `${method} ${path}`).toBe(404);
      expect(res.body.error.code, `${method} ${path}`).toBe('DOCUMENT_NOT_FOUND');
    }
    // Mallory's own document has no version 2: the number of alice's version opens nothing there.
    const own = await api(url, 'GET', `/documents/${mine.documentId}/versions/2`, { token: mallory.accessToken });
    expect(own.status).toBe(404);
    expect(own.body.error.code).toBe('VERSION_NOT_FOUND');
  });
});

import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CliIo } from '../../client/cli/io.js';
import { run } from '../../client/cli/program.js';
import { CofferClient } from '../../client/sdk/CofferClient.js';
import { readAll } from '../helpers/streams.js';
import { resolveAccess } from '../../shared/server/access/resolveAccess.js';
import { s3Client } from '../../shared/server/config/clients.js';
import {
  decryptBytes,
  decryptMetadata,
  encryptMetadata,
  generateDataKey,
  toBase64Url,
  unwrapKeyUnderKey,
  wrapKey,
  wrapKeyUnderKey,
} from '../../shared/core/crypto/index.js';
import { type FolderMeta, markFolderDeleting } from '../../shared/server/data/folders.js';
import { keys } from '../../shared/server/data/keys.js';
import { MAX_DEPTH } from '../../shared/server/data/nodes.js';
import { purgeFolderTree } from '../../shared/server/services/folders/deleteFolderTree.js';
import { type Actor, newDocumentId, register } from '../helpers/actors.js';
import {
  chainLabel,
  childLabel,
  type FolderHandle,
  folderBody,
  folderLabel,
  mkdir,
  olderKey,
  openKeyPath,
  shareFolder,
  uploadInto,
} from '../helpers/folders.js';
import { api } from '../helpers/http.js';
import { type LocalStack, startLocalStack } from '../helpers/localStack.js';

let stack: LocalStack;
let url: string;
let alice: Actor, bob: Actor, carol: Actor, dave: Actor, mallory: Actor;
const text = (s: string) => new TextEncoder().encode(s);

beforeAll(async () => {
  stack = await startLocalStack();
  url = stack.url;
  [alice, bob, carol, dave, mallory] = (await Promise.all(['alice', 'bob', 'carol', 'dave', 'mallory'].map((u) => register(url, u)))) as [
    Actor, Actor, Actor, Actor, Actor,
  ];
});
afterAll(() => stack?.stop());

async function item(key: { pk: string; sk: string }) {
  return (await stack.deps.db.doc.send(new GetCommand({ TableName: stack.table, Key: key, ConsistentRead: true }))).Item;
}
async function partition(nodeId: string) {
  const out = await stack.deps.db.doc.send(
    new QueryCommand({ TableName: stack.table, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': `NODE#${nodeId}` }, ConsistentRead: true }),
  );
  return out.Items ?? [];
}
const getFolder = (by: Actor, id: string) => api(url, 'GET', `/folders/${id}`, { token: by.accessToken });
const children = (by: Actor, id: string, query = '') => api(url, 'GET', `/folders/${id}/children${query}`, { token: by.accessToken });

/** Downloads and decrypts a document with only what GET /documents/{id} returned and the actor's private key. */
async function readDocument(actor: Actor, documentId: string): Promise<Uint8Array> {
  const got = await api(url, 'GET', `/documents/${documentId}`, { token: actor.accessToken });
  if (got.status !== 200) throw Object.assign(new Error(`get: ${got.status}`), { status: got.status });
  const dek = await openKeyPath(actor, { nodeId: documentId, kind: 'document' }, got.body.keyPath);
  const res = await fetch(got.body.download.url);
  return decryptBytes(dek, { documentId, version: got.body.version }, new Uint8Array(await res.arrayBuffer()));
}

/** The body of POST /folders/{id}/limit {limited: true}: a new key, the chain link, the name under it, a re-wrap for each grantee. */
async function limitBody(folder: FolderHandle, grantees: Actor[], name = 'limited') {
  const next = generateDataKey();
  const generation = folder.generation + 1;
  return {
    next: { folderId: folder.folderId, key: next, generation } as FolderHandle,
    body: {
      limited: true,
      keyGeneration: generation,
      chainWrap: await wrapKeyUnderKey(next, folder.key, chainLabel(folder.folderId, folder.generation)),
      encryptedName: await encryptMetadata(next, folder.folderId, 'name', name),
      grants: await Promise.all(
        grantees.map(async (a) => ({
          principalId: `u:${a.userId}`,
          wrappedKey: toBase64Url(await wrapKey(a.publicKey, next, folderLabel(folder.folderId, generation, `u:${a.userId}`))),
          fingerprint: a.fingerprint,
        })),
      ),
    },
  };
}

describe('creating folders', () => {
  it('creates nested folders with their META, owner grant and child pointers, and returns them with a key path', async () => {
    const top = await mkdir(url, alice, 'Projects');
    const mid = await mkdir(url, alice, 'Coffer', top);
    const low = await mkdir(url, alice, 'Specs', mid);

    const got = await getFolder(alice, low.folderId);
    expect(got.status).toBe(200);
    expect(got.body).toMatchObject({
      folderId: low.folderId,
      ownerId: 'alice',
      role: 'owner',
      keyGeneration: 1,
      limited: false,
      parentId: mid.folderId,
      path: [mid.folderId, top.folderId],
    });
    expect(got.body.capabilities).toEqual(['view', 'download', 'comment', 'edit', 'share', 'manage', 'delete', 'transfer', 'settings']);
    // The owner's own grant on the folder is the whole key path.
    expect(got.body.keyPath.steps).toEqual([]);
    const key = await openKeyPath(alice, { nodeId: low.folderId, kind: 'folder' }, got.body.keyPath);
    expect(await decryptMetadata(key, low.folderId, 'name', got.body.encryptedName)).toBe('Specs');

    const meta = await item(keys.nodeMeta(low.folderId));
    expect(meta).toMatchObject({ kind: 'folder', state: 'active', rev: 1, acl: { 'u:alice': { role: 'owner' } }, settings: { editorsCanShare: true } });
    expect(meta!.parentKeyGeneration).toBe(1);
    const grant = await item(keys.grant(low.folderId, 'u:alice'));
    expect(grant).toMatchObject({ role: 'owner', keyGeneration: 1, gsi1pk: 'PRINCIPAL#u:alice' });
    expect(await item(keys.child(mid.folderId, low.folderId))).toMatchObject({ kind: 'folder', nodeId: low.folderId });
    expect(await item(keys.child(top.folderId, mid.folderId))).toBeDefined();
  });

  it('refuses a reused id, a missing or stale parent wrap, a stale own key, and a guest at the root', async () => {
    const top = await mkdir(url, alice, 'Top');
    const reuse = await folderBody(alice, 'Again', undefined, top.folderId);
    const again = await api(url, 'POST', '/folders', { token: alice.accessToken, body: reuse.body });
    expect([again.status, again.body.error.code]).toEqual([409, 'FOLDER_EXISTS']);

    const { body } = await folderBody(alice, 'Child', top);
    const { parentWrap: _w, ...noWrap } = body;
    expect((await api(url, 'POST', '/folders', { token: alice.accessToken, body: noWrap })).status).toBe(400);
    const stale = await api(url, 'POST', '/folders', { token: alice.accessToken, body: { ...body, parentKeyGeneration: 2 } });
    expect([stale.status, stale.body.error.code]).toEqual([409, 'PARENT_KEY_CHANGED']);
    const wrongKey = await api(url, 'POST', '/folders', { token: alice.accessToken, body: { ...body, fingerprint: bob.fingerprint } });
    expect([wrongKey.status, wrongKey.body.error.code]).toEqual([409, 'STALE_PUBLIC_KEY']);
    expect(await item(keys.nodeMeta(body.folderId))).toBeUndefined();

    // A guest's token (as an invitation registration issues it): nothing at the root, but inside a shared folder, yes.
    const guest = { ...dave, accessToken: (await stack.deps.tokens.issue({ sub: 'dave', kind: 'guest' })).token };
    const atRoot = await api(url, 'POST', '/folders', { token: guest.accessToken, body: (await folderBody(dave, 'Mine')).body });
    expect([atRoot.status, atRoot.body.error.code]).toEqual([403, 'GUEST_FORBIDDEN']);
    await shareFolder(url, alice, top, dave, 'editor');
    const inside = await api(url, 'POST', '/folders', { token: guest.accessToken, body: (await folderBody(dave, 'Guest work', top)).body });
    expect(inside.status).toBe(201);
  });

  it(`refuses to nest deeper than ${MAX_DEPTH} levels`, async () => {
    let folder = await mkdir(url, alice, 'level 0');
    for (let depth = 1; depth <= MAX_DEPTH; depth++) folder = await mkdir(url, alice, `level ${depth}`, folder);
    expect((await getFolder(alice, folder.folderId)).body.path).toHaveLength(MAX_DEPTH);
    const { body } = await folderBody(alice, 'too deep', folder);
    const res = await api(url, 'POST', '/folders', { token: alice.accessToken, body });
    expect([res.status, res.body.error.code]).toEqual([422, 'TOO_DEEP']);
  }, 30_000);
});

describe('listing a folder', () => {
  it('pages through active children with a cursor bound to the folder, and decrypts every name with the folder key', async () => {
    const top = await mkdir(url, alice, 'Listing');
    const names = ['a-folder', 'b-folder', 'c-folder'];
    for (const n of names) await mkdir(url, alice, n, top);
    const doc = await uploadInto(url, alice, top, text('hello'), 'd-doc.txt');

    const seen: { nodeId: string; kind: string; name: string }[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const res = await children(alice, top.folderId, `?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      expect(res.status).toBe(200);
      expect(res.body.children.length).toBeLessThanOrEqual(2);
      for (const c of res.body.children) {
        const key = await unwrapKeyUnderKey(top.key, c.parentWrap, childLabel(c.nodeId, c.keyGeneration, top.folderId, c.parentKeyGeneration));
        seen.push({ nodeId: c.nodeId, kind: c.kind, name: await decryptMetadata(key, c.nodeId, 'name', c.encryptedName) });
        if (c.kind === 'document') expect([c.size, c.version]).toEqual([doc.ciphertext.length, 1]);
        expect(c.role).toBe('owner');
      }
      cursor = res.body.cursor;
      pages++;
    } while (cursor);
    expect(pages).toBeGreaterThanOrEqual(2);
    expect(seen.map((s) => s.name).sort()).toEqual([...names, 'd-doc.txt']);
    expect(seen.find((s) => s.kind === 'document')?.nodeId).toBe(doc.documentId);

    const first = await children(alice, top.folderId, '?limit=1');
    const other = await mkdir(url, alice, 'Other');
    const foreign = await children(alice, other.folderId, `?cursor=${first.body.cursor}`);
    expect([foreign.status, foreign.body.error.code]).toEqual([400, 'VALIDATION_FAILED']);
  });

  it('leaves out a pending upload and a child whose subtree is being deleted', async () => {
    const top = await mkdir(url, alice, 'Pending');
    const sub = await mkdir(url, alice, 'going', top);
    const pendingId = newDocumentId();
    const dek = generateDataKey();
    const wrapped = await wrapKey(alice.publicKey, dek, { kind: 'dek', resourceId: pendingId, generation: 1, recipientId: 'u:alice' });
    const created = await api(url, 'POST', '/documents', {
      token: alice.accessToken,
      body: {
        documentId: pendingId,
        size: 100,
        keyGeneration: 1,
        encryptedName: await encryptMetadata(dek, pendingId, 'name', 'pending'),
        grants: [{ userId: 'alice', wrappedKey: toBase64Url(wrapped), fingerprint: alice.fingerprint }],
        parentId: top.folderId,
        parentWrap: await wrapKeyUnderKey(top.key, dek, childLabel(pendingId, 1, top.folderId, 1)),
        parentKeyGeneration: 1,
      },
    });
    expect(created.status).toBe(201);
    await markFolderDeleting(stack.deps.db, (await item(keys.nodeMeta(sub.folderId))) as FolderMeta, new Date().toISOString());
    expect((await children(alice, top.folderId)).body.children).toEqual([]);
  });
});

describe('reading through folders', () => {
  it('lets a reader of a folder decrypt a document three levels down with only the keys the server gave them', async () => {
    const a = await mkdir(url, alice, 'A');
    const b = await mkdir(url, alice, 'B', a);
    const c = await mkdir(url, alice, 'C', b);
    const doc = await uploadInto(url, alice, c, text('three levels down'), 'deep.txt');
    expect((await api(url, 'GET', `/documents/${doc.documentId}`, { token: bob.accessToken })).status).toBe(404);

    await shareFolder(url, alice, a, bob, 'viewer');
    const got = await api(url, 'GET', `/documents/${doc.documentId}`, { token: bob.accessToken });
    expect(got.status).toBe(200);
    expect(got.body.role).toBe('viewer');
    expect(got.body.keyPath.entry).toMatchObject({ nodeId: a.folderId, principalId: 'u:bob' });
    expect(got.body.keyPath.steps.map((s: { nodeId: string }) => s.nodeId)).toEqual([b.folderId, c.folderId, doc.documentId]);
    expect(await readDocument(bob, doc.documentId)).toEqual(text('three levels down'));

    // The folders on the way open the same way, and their listings too.
    const folderC = await getFolder(bob, c.folderId);
    const keyC = await openKeyPath(bob, { nodeId: c.folderId, kind: 'folder' }, folderC.body.keyPath);
    expect(await decryptMetadata(keyC, c.folderId, 'name', folderC.body.encryptedName)).toBe('C');
    const listed = await children(bob, c.folderId);
    expect(listed.body.children.map((x: { nodeId: string; role: string }) => [x.nodeId, x.role])).toEqual([[doc.documentId, 'viewer']]);
  });

  it('takes the highest level over the node and its ancestors; an inherited owner counts as manager', async () => {
    const a = await mkdir(url, alice, 'Levels');
    const b = await mkdir(url, alice, 'Levels/B', a);
    const doc = await uploadInto(url, alice, b, text('x'), 'x.txt');
    await shareFolder(url, alice, a, bob, 'viewer');
    await shareFolder(url, alice, b, bob, 'editor');
    expect((await getFolder(bob, a.folderId)).body.role).toBe('viewer');
    expect((await getFolder(bob, b.folderId)).body.role).toBe('editor');
    expect((await api(url, 'GET', `/documents/${doc.documentId}`, { token: bob.accessToken })).body.role).toBe('editor');
    await shareFolder(url, alice, b, carol, 'manager');
    await shareFolder(url, alice, a, carol, 'viewer');
    expect((await getFolder(carol, b.folderId)).body.role).toBe('manager');
    // bob creates (and owns) a folder in B; alice, owner of A and B above it, counts as manager there.
    const sub = await mkdir(url, bob, 'bob in B', b);
    expect((await getFolder(alice, sub.folderId)).body.role).toBe('manager');
    expect((await getFolder(bob, sub.folderId)).body.role).toBe('owner');
  });
});

describe('limited access', () => {
  it('stops inheritance with a new key: the parent sharer loses the subfolder, its direct grantees keep it, older children still open', async () => {
    const a = await mkdir(url, alice, 'Team');
    const l = await mkdir(url, alice, 'Secret', a);
    const before = await uploadInto(url, alice, l, text('written before the limit'), 'before.txt');
    await shareFolder(url, alice, a, bob, 'viewer');
    await shareFolder(url, alice, l, carol, 'viewer');
    expect(await readDocument(bob, before.documentId)).toEqual(text('written before the limit'));

    const { next, body } = await limitBody(l, [alice, carol]);
    const res = await api(url, 'POST', `/folders/${l.folderId}/limit`, { token: alice.accessToken, body });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ folderId: l.folderId, limited: true, keyGeneration: 2 });
    const meta = await item(keys.nodeMeta(l.folderId));
    expect(meta).toMatchObject({ limited: true, keyGeneration: 2, rev: expect.any(Number) });
    expect(meta!.parentWrap).toBeUndefined();
    expect(Object.keys(meta!.keyChain)).toEqual(['1']);
    expect(await item(keys.grant(l.folderId, 'u:carol'))).toMatchObject({ keyGeneration: 2 });

    // bob only had A: the limited folder and everything in it are gone for him, and not listed.
    expect((await getFolder(bob, l.folderId)).status).toBe(404);
    expect((await api(url, 'GET', `/documents/${before.documentId}`, { token: bob.accessToken })).status).toBe(404);
    expect((await children(bob, a.folderId)).body.children).toEqual([]);
    // carol, a direct grantee, opens the new key, and the document wrapped under the old one through the chain.
    const asCarol = await getFolder(carol, l.folderId);
    expect(asCarol.body.keyGeneration).toBe(2);
    const carolKey = await openKeyPath(carol, { nodeId: l.folderId, kind: 'folder' }, asCarol.body.keyPath);
    expect(carolKey).toEqual(next.key);
    expect(await decryptMetadata(carolKey, l.folderId, 'name', asCarol.body.encryptedName)).toBe('limited');
    expect(await readDocument(carol, before.documentId)).toEqual(text('written before the limit'));
    // alice sees the limited child in A's listing, without a parent wrap (she opens it from her own grant).
    const listed = (await children(alice, a.folderId)).body.children;
    expect(listed).toMatchObject([{ nodeId: l.folderId, limited: true }]);
    expect(listed[0].parentWrap).toBeUndefined();
    // A listing of L gives its chain, so a child wrapped under generation 1 opens from the generation 2 key.
    const inside = await children(carol, l.folderId);
    const child = inside.body.children[0];
    expect(child.parentKeyGeneration).toBe(1);
    const gen1 = await olderKey(carolKey, l.folderId, 2, 1, inside.body.keyChain);
    const dek = await unwrapKeyUnderKey(gen1, child.parentWrap, childLabel(child.nodeId, 1, l.folderId, 1));
    expect(await decryptMetadata(dek, child.nodeId, 'name', child.encryptedName)).toBe('before.txt');
    // New children go under generation 2.
    const after = await uploadInto(url, alice, next, text('after'), 'after.txt');
    expect(await readDocument(carol, after.documentId)).toEqual(text('after'));
  });

  it('needs exactly the direct grantees, adds a manager who inherits as a direct manager, and turns off again', async () => {
    const a = await mkdir(url, alice, 'Dept');
    const l = await mkdir(url, alice, 'HR', a);
    await shareFolder(url, alice, a, dave, 'manager');
    await shareFolder(url, alice, l, carol, 'viewer');

    const partial = await limitBody(l, [alice]);
    const missing = await api(url, 'POST', `/folders/${l.folderId}/limit`, { token: dave.accessToken, body: partial.body });
    expect([missing.status, missing.body.error.code]).toEqual([409, 'GRANTEES_CHANGED']);
    expect(missing.body.error.details).toEqual({ missing: ['u:carol', 'u:dave'], unexpected: [] });
    const staleGen = await limitBody({ ...l, generation: 2 }, [alice, carol, dave]);
    const wrongGen = await api(url, 'POST', `/folders/${l.folderId}/limit`, { token: dave.accessToken, body: staleGen.body });
    expect([wrongGen.status, wrongGen.body.error.code]).toEqual([409, 'KEY_GENERATION_CHANGED']);

    const { next, body } = await limitBody(l, [alice, carol, dave]);
    const res = await api(url, 'POST', `/folders/${l.folderId}/limit`, { token: dave.accessToken, body });
    expect(res.status).toBe(200);
    expect((await item(keys.nodeMeta(l.folderId)))!.acl['u:dave']).toEqual({ role: 'manager' });
    const asDave = await getFolder(dave, l.folderId);
    expect(asDave.body.role).toBe('manager');
    expect(await openKeyPath(dave, { nodeId: l.folderId, kind: 'folder' }, asDave.body.keyPath)).toEqual(next.key);
    const again = await api(url, 'POST', `/folders/${l.folderId}/limit`, { token: dave.accessToken, body: (await limitBody(next, [alice, carol, dave])).body });
    expect([again.status, again.body.error.code]).toEqual([422, 'ALREADY_LIMITED']);

    const unlimit = {
      limited: false,
      parentWrap: await wrapKeyUnderKey(a.key, next.key, childLabel(l.folderId, 2, a.folderId, 1)),
      parentKeyGeneration: 1,
    };
    expect((await api(url, 'POST', `/folders/${l.folderId}/limit`, { token: carol.accessToken, body: unlimit })).body.error.code).toBe('CANNOT_MANAGE');
    const off = await api(url, 'POST', `/folders/${l.folderId}/limit`, { token: alice.accessToken, body: unlimit });
    expect(off.body).toEqual({ folderId: l.folderId, limited: false, keyGeneration: 2 });
    // Inheritance is back: bob, a reader of the parent, opens L through the parent wrap of generation 2.
    await shareFolder(url, alice, a, bob, 'viewer');
    const asBob = await getFolder(bob, l.folderId);
    expect(asBob.body.keyPath.entry.nodeId).toBe(a.folderId);
    expect(await openKeyPath(bob, { nodeId: l.folderId, kind: 'folder' }, asBob.body.keyPath)).toEqual(next.key);

    const root = await mkdir(url, alice, 'Top level');
    const topLimit = await api(url, 'POST', `/folders/${root.folderId}/limit`, { token: alice.accessToken, body: (await limitBody(root, [alice])).body });
    expect([topLimit.status, topLimit.body.error.code]).toEqual([422, 'NOT_IN_A_FOLDER']);
  });
});

describe('renaming', () => {
  it('stores a new name under the current key, refusing a stale generation and a viewer', async () => {
    const a = await mkdir(url, alice, 'Old name');
    await shareFolder(url, alice, a, bob, 'viewer');
    const body = { encryptedName: await encryptMetadata(a.key, a.folderId, 'name', 'New name'), keyGeneration: 1 };
    const viewer = await api(url, 'PUT', `/nodes/${a.folderId}/name`, { token: bob.accessToken, body });
    expect([viewer.status, viewer.body.error.code]).toEqual([403, 'CANNOT_EDIT']);
    const stale = await api(url, 'PUT', `/nodes/${a.folderId}/name`, { token: alice.accessToken, body: { ...body, keyGeneration: 2 } });
    expect([stale.status, stale.body.error.code]).toEqual([409, 'KEY_GENERATION_CHANGED']);
    const ok = await api(url, 'PUT', `/nodes/${a.folderId}/name`, { token: alice.accessToken, body });
    expect(ok.body).toEqual({ nodeId: a.folderId, keyGeneration: 1 });
    const got = await getFolder(bob, a.folderId);
    const key = await openKeyPath(bob, { nodeId: a.folderId, kind: 'folder' }, got.body.keyPath);
    expect(await decryptMetadata(key, a.folderId, 'name', got.body.encryptedName)).toBe('New name');
  });

  it('renames a document in a folder for an editor of the folder', async () => {
    const a = await mkdir(url, alice, 'Docs');
    const doc = await uploadInto(url, alice, a, text('x'), 'draft.txt');
    await shareFolder(url, alice, a, carol, 'editor');
    const body = { encryptedName: await encryptMetadata(doc.dek, doc.documentId, 'name', 'final.txt'), keyGeneration: 1 };
    expect((await api(url, 'PUT', `/nodes/${doc.documentId}/name`, { token: carol.accessToken, body })).status).toBe(200);
    expect((await item(keys.nodeMeta(doc.documentId)))!.encryptedName).toBe(body.encryptedName);
  });
});

describe('deleting a folder', () => {
  it('removes the whole subtree: every item, every object, and the pointer in its parent', async () => {
    const parent = await mkdir(url, alice, 'Keep');
    const top = await mkdir(url, alice, 'Doomed', parent);
    const mid = await mkdir(url, alice, 'Doomed/mid', top);
    const low = await mkdir(url, alice, 'Doomed/mid/low', mid);
    const docs = [
      await uploadInto(url, alice, top, text('one'), '1.txt'),
      await uploadInto(url, alice, mid, text('two'), '2.txt'),
      await uploadInto(url, alice, low, text('three'), '3.txt'),
    ];
    await shareFolder(url, alice, top, bob, 'manager');
    const byManager = await api(url, 'DELETE', `/folders/${top.folderId}`, { token: bob.accessToken });
    expect([byManager.status, byManager.body.error.code]).toEqual([403, 'NOT_OWNER']);

    const res = await api(url, 'DELETE', `/folders/${top.folderId}`, { token: alice.accessToken });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ folderId: top.folderId, deletedFolders: 3, deletedDocuments: 3 });
    for (const id of [top.folderId, mid.folderId, low.folderId, ...docs.map((d) => d.documentId)]) {
      expect(await partition(id)).toEqual([]);
    }
    expect(await item(keys.child(parent.folderId, top.folderId))).toBeUndefined();
    const s3 = s3Client(stack.endpoints);
    for (const d of docs) {
      const objects = await s3.send(new ListObjectsV2Command({ Bucket: stack.bucket, Prefix: `docs/${d.documentId}/` }));
      expect(objects.KeyCount ?? 0).toBe(0);
    }
    expect((await getFolder(alice, top.folderId)).status).toBe(404);
    expect((await getFolder(alice, parent.folderId)).status).toBe(200);
  });

  it('hides the subtree the moment the folder is marked, and a purge that stopped half-way finishes when run again', async () => {
    const top = await mkdir(url, alice, 'Hide');
    const sub = await mkdir(url, alice, 'Hide/sub', top);
    const doc = await uploadInto(url, alice, sub, text('x'), 'x.txt');
    await shareFolder(url, alice, top, bob, 'viewer');

    // Step 1 alone (as if the function stopped right after it).
    await markFolderDeleting(stack.deps.db, (await item(keys.nodeMeta(top.folderId))) as FolderMeta, new Date().toISOString());
    for (const actor of [alice, bob]) {
      expect((await getFolder(actor, top.folderId)).status).toBe(404);
      expect((await getFolder(actor, sub.folderId)).status).toBe(404);
      expect((await api(url, 'GET', `/documents/${doc.documentId}`, { token: actor.accessToken })).status).toBe(404);
    }
    await expect(resolveAccess(stack.deps, { userId: 'alice', kind: 'member' }, doc.documentId)).rejects.toMatchObject({ code: 'NODE_NOT_FOUND' });
    expect((await item(keys.nodeMeta(top.folderId)))!.gsi2pk).toBe('EXPIRY'); // the cleanup job finds it

    // The purge, twice: the second run finds nothing left and counts nothing.
    expect(await purgeFolderTree(stack.deps, top.folderId)).toEqual({ deletedFolders: 2, deletedDocuments: 1 });
    expect(await purgeFolderTree(stack.deps, top.folderId)).toEqual({ deletedFolders: 0, deletedDocuments: 0 });
    for (const id of [top.folderId, sub.folderId, doc.documentId]) expect(await partition(id)).toEqual([]);
  });
});

describe('authorization (BOLA)', () => {
  it('answers a stranger 404 on every folder route, the same as an unknown id', async () => {
    const a = await mkdir(url, alice, 'Private');
    const b = await mkdir(url, alice, 'Private/B', a);
    const limit = (await limitBody(b, [alice])).body;
    const rename = { encryptedName: await encryptMetadata(a.key, a.folderId, 'name', 'pwned'), keyGeneration: 1 };
    const intoA = (await folderBody(mallory, 'mine', a)).body;
    const mine = await mkdir(url, mallory, 'Mallory');
    for (const id of [a.folderId, newDocumentId()]) {
      const results = [
        await api(url, 'GET', `/folders/${id}`, { token: mallory.accessToken }),
        await api(url, 'GET', `/folders/${id}/children`, { token: mallory.accessToken }),
        await api(url, 'POST', `/folders/${id}/limit`, { token: mallory.accessToken, body: limit }),
        await api(url, 'DELETE', `/folders/${id}`, { token: mallory.accessToken }),
        await api(url, 'PUT', `/nodes/${id}/name`, { token: mallory.accessToken, body: rename }),
        await api(url, 'POST', `/nodes/${id}/move`, { token: mallory.accessToken, body: { parentId: mine.folderId, dryRun: true } }),
      ];
      expect(results.map((r) => r.status)).toEqual([404, 404, 404, 404, 404, 404]);
    }
    expect((await api(url, 'POST', `/folders/${b.folderId}/limit`, { token: mallory.accessToken, body: limit })).status).toBe(404);
    expect((await api(url, 'POST', '/folders', { token: mallory.accessToken, body: intoA })).status).toBe(404);
    // Nor can a stranger move their own node into someone else's folder.
    const moveIn = await api(url, 'POST', `/nodes/${mine.folderId}/move`, { token: mallory.accessToken, body: { parentId: a.folderId, dryRun: true } });
    expect(moveIn.status).toBe(404);
    const got = await getFolder(mallory, a.folderId);
    const unknown = await getFolder(mallory, newDocumentId());
    expect(got.body).toEqual(unknown.body);
    expect(got.body.error.code).toBe('FOLDER_NOT_FOUND');
    expect((await item(keys.nodeMeta(a.folderId)))!.state).toBe('active');
  });

  it('answers a viewer 403 for edit, manage and delete', async () => {
    const a = await mkdir(url, alice, 'Shared');
    const b = await mkdir(url, alice, 'Shared/B', a);
    await shareFolder(url, alice, a, bob, 'viewer');
    const own = await mkdir(url, bob, 'Bob');
    const create = await api(url, 'POST', '/folders', { token: bob.accessToken, body: (await folderBody(bob, 'x', a)).body });
    const rename = await api(url, 'PUT', `/nodes/${b.folderId}/name`, {
      token: bob.accessToken,
      body: { encryptedName: await encryptMetadata(b.key, b.folderId, 'name', 'x'), keyGeneration: 1 },
    });
    const move = await api(url, 'POST', `/nodes/${b.folderId}/move`, { token: bob.accessToken, body: { parentId: own.folderId, dryRun: true } });
    const moveIn = await api(url, 'POST', `/nodes/${own.folderId}/move`, { token: bob.accessToken, body: { parentId: a.folderId, dryRun: true } });
    const limit = await api(url, 'POST', `/folders/${b.folderId}/limit`, { token: bob.accessToken, body: (await limitBody(b, [alice])).body });
    const del = await api(url, 'DELETE', `/folders/${a.folderId}`, { token: bob.accessToken });
    expect([create, rename, move, moveIn, limit, del].map((r) => [r.status, r.body.error.code])).toEqual([
      [403, 'CANNOT_EDIT'],
      [403, 'CANNOT_EDIT'],
      [403, 'CANNOT_EDIT'],
      [403, 'CANNOT_EDIT'],
      [403, 'CANNOT_MANAGE'],
      [403, 'NOT_OWNER'],
    ]);
    expect((await getFolder(bob, b.folderId)).body.capabilities).toEqual(['view', 'download']);
  });
});

describe('the SDK', () => {
  async function clientFor(actor: Actor): Promise<CofferClient> {
    const client = new CofferClient({ serverUrl: url, tuning: { allowWeakKdf: true } });
    await client.login(actor.userId, actor.passphrase);
    return client;
  }

  it('creates, lists, uploads into, renames, limits and deletes folders, with every key and name handled client-side', async () => {
    const [asAlice, asBob] = await Promise.all([clientFor(alice), clientFor(bob)]);
    const top = await asAlice.createFolder('Reports');
    const sub = await asAlice.createFolder('2024', { parent: top.folderId });
    expect(sub).toMatchObject({ name: '2024', parentId: top.folderId, path: [top.folderId] });
    const uploaded = await asAlice.upload(text('quarterly numbers'), { name: 'q1.txt', parent: sub.folderId });

    const listed = await asAlice.listFolder(top.folderId);
    expect(listed).toMatchObject({ folderId: top.folderId, name: 'Reports', role: 'owner', path: [], limited: false });
    expect(listed.children.map((c) => [c.kind, c.name])).toEqual([['folder', '2024']]);
    const inSub = await asAlice.listFolder(sub.folderId);
    expect(inSub.children).toMatchObject([{ nodeId: uploaded.documentId, kind: 'document', name: 'q1.txt', size: 17, version: 1 }]);
    expect((await asAlice.getFolder(sub.folderId)).name).toBe('2024');

    await asAlice.share(top.folderId, { userIds: ['bob'] });
    const fromBob = await asBob.download(uploaded.documentId);
    expect([fromBob.name, new TextDecoder().decode(await readAll(fromBob.stream))]).toEqual(['q1.txt', 'quarterly numbers']);
    const opened = await asBob.nodeKey(sub.folderId);
    expect([opened.kind, opened.keyGeneration, opened.key.length]).toEqual(['folder', 1, 32]);

    await asAlice.rename(sub.folderId, '2025');
    await asAlice.rename(uploaded.documentId, 'q1-final.txt');
    expect((await asBob.listFolder(top.folderId)).children.map((c) => c.name)).toEqual(['2025']);
    expect((await asBob.listFolder(sub.folderId)).children.map((c) => c.name)).toEqual(['q1-final.txt']);

    expect(await asAlice.limitFolder(sub.folderId)).toEqual({ folderId: sub.folderId, limited: true, keyGeneration: 2 });
    await expect(asBob.listFolder(sub.folderId)).rejects.toMatchObject({ code: 'FOLDER_NOT_FOUND' });
    const limitedChild = (await asAlice.listFolder(top.folderId)).children[0]!;
    expect([limitedChild.name, limitedChild.limited]).toEqual(['2025', true]);
    expect((await asAlice.listFolder(sub.folderId)).children.map((c) => c.name)).toEqual(['q1-final.txt']);
    expect(await asAlice.unlimitFolder(sub.folderId)).toEqual({ folderId: sub.folderId, limited: false, keyGeneration: 2 });
    expect((await asBob.listFolder(sub.folderId)).children.map((c) => c.name)).toEqual(['q1-final.txt']);

    expect(await asAlice.deleteFolder(top.folderId)).toEqual({ folderId: top.folderId, deletedFolders: 2, deletedDocuments: 1 });
    await expect(asAlice.listFolder(top.folderId)).rejects.toMatchObject({ code: 'FOLDER_NOT_FOUND' });
  });

  it('limits a folder shared with a user who inherits a higher level, re-wrapping for exactly its direct grantees', async () => {
    const asAlice = await clientFor(alice);
    const top = await asAlice.createFolder('Wide');
    const sub = await asAlice.createFolder('Narrow', { parent: top.folderId });
    await asAlice.share(top.folderId, { userIds: ['carol'] }, { role: 'manager' });
    // carol's direct grant on the subfolder is hidden behind her inherited manager level in the permissions list.
    await asAlice.share(sub.folderId, { userIds: ['carol'] }, { role: 'viewer' });
    expect(await asAlice.limitFolder(sub.folderId)).toMatchObject({ limited: true, keyGeneration: 2 });
    const asCarol = await clientFor(carol);
    expect((await asCarol.getFolder(sub.folderId)).role).toBe('viewer');
  });
});

describe('the CLI', () => {
  async function coffer(home: string, args: string[], options: { stdin?: string; env?: Record<string, string> } = {}) {
    let stdout = '';
    let stderr = '';
    const io: CliIo = {
      stdout: { write: (t: string) => (stdout += t) },
      stderr: Object.assign(new Writable({ write: (c, _e, cb) => ((stderr += String(c)), cb()) }), { isTTY: false }),
      stdin: Readable.from(options.stdin === undefined ? [] : [Buffer.from(options.stdin)]) as unknown as NodeJS.ReadStream,
      env: { COFFER_HOME: home, COFFER_URL: url, COFFER_ALLOW_WEAK_KDF: '1', ...options.env },
    };
    const code = await run(args, io);
    return { code, stdout, stderr, json: args.includes('--json') && stdout.trim() ? JSON.parse(stdout) : undefined, io };
  }

  it('mkdir, ls FOLDER, rename, mv (asking when people gain access), limit and rmdir', async () => {
    const home = await mkdtemp(join(tmpdir(), 'coffer-folders-'));
    expect((await coffer(home, ['login', '--user', 'alice'], { env: { COFFER_PASSPHRASE: alice.passphrase } })).code).toBe(0);
    const made = await coffer(home, ['--json', 'mkdir', 'Plans']);
    expect(made.code).toBe(0);
    const plans = made.json.folderId as string;
    const inner = (await coffer(home, ['--json', 'mkdir', 'Q3', '--parent', plans])).json.folderId as string;
    const human = await coffer(home, ['mkdir', 'Loose']);
    expect(human.stdout).toMatch(/^Created folder Loose as [A-Za-z0-9_-]{22}\.\n$/);
    const loose = human.stdout.split(' as ')[1]!.slice(0, 22);
    expect((await coffer(home, ['--json', 'rename', inner, 'Q4'])).json).toEqual({ nodeId: inner, name: 'Q4' });

    const listing = await coffer(home, ['--json', 'ls']); // plain ls: unchanged, everything shared with or owned by alice
    expect(listing.code).toBe(0);
    const file = join(home, 'memo.txt');
    await writeFile(file, 'in the folder');
    const uploaded = await coffer(home, ['--json', 'upload', file, '--parent', plans]);
    expect(uploaded.code, uploaded.stdout).toBe(0);
    const inFolder = await coffer(home, ['--json', 'ls', plans]);
    expect(inFolder.code, inFolder.stdout + inFolder.stderr).toBe(0);
    expect(inFolder.json).toMatchObject({ folder: { folderId: plans, name: 'Plans' } });
    expect(inFolder.json.children).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ nodeId: inner, kind: 'folder', name: 'Q4' }),
        expect.objectContaining({ nodeId: uploaded.json.documentId, kind: 'document', name: 'memo.txt' }),
      ]),
    );

    // Moving Loose into a folder shared with bob gives one more person access.
    const shared = (await coffer(home, ['--json', 'mkdir', 'Shared'])).json.folderId as string;
    const asAlice = new CofferClient({ serverUrl: url, tuning: { allowWeakKdf: true } });
    await asAlice.login('alice', alice.passphrase);
    await asAlice.share(shared, { userIds: ['bob'] });
    const refused = await coffer(home, ['--json', 'mv', loose, shared]);
    expect([refused.code, refused.json.error.code]).toEqual([1, 'CONFIRMATION_REQUIRED']);
    expect(refused.json.error.message).toBe('Moving into Shared gives 1 more person access. Add --yes to move it anyway.');
    const declined = await coffer(home, ['mv', loose, shared], { stdin: 'n\n' });
    expect(declined.stderr).toContain('Moving into Shared gives 1 more person access. Continue? [y/N] ');
    expect(declined.code).not.toBe(0);
    expect((await item(keys.nodeMeta(loose)))!.parentId).toBeUndefined();
    const accepted = await coffer(home, ['mv', loose, shared], { stdin: 'y\n' });
    expect(accepted.code).toBe(0);
    expect(accepted.stdout).toBe(`Moved ${loose} into ${shared}. 1 more person now has access.\n`);
    expect((await item(keys.nodeMeta(loose)))!.parentId).toBe(shared);
    const back = await coffer(home, ['--json', 'mv', loose, '/']);
    expect(back.json).toMatchObject({ nodeId: loose, parentId: null, moved: true });
    expect((await coffer(home, ['--json', 'mv', loose, shared, '--yes'])).code).toBe(0);

    expect((await coffer(home, ['--json', 'limit', inner])).json).toEqual({ folderId: inner, limited: true, keyGeneration: 2 });
    expect((await coffer(home, ['--json', 'limit', inner, '--off'])).json).toEqual({ folderId: inner, limited: false, keyGeneration: 2 });
    const removed = await coffer(home, ['rmdir', plans]);
    expect(removed.stdout).toBe(`Deleted folder ${plans}: 2 folders and 1 document.\n`);
    const gone = await coffer(home, ['--json', 'rmdir', plans]);
    expect([gone.code, gone.json.error.code]).toEqual([4, 'FOLDER_NOT_FOUND']);
  });
});

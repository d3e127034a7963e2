import { GetCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CofferClient } from '../../client/sdk/CofferClient.js';
import type { MovePreview } from '../../client/sdk/folders.js';
import { resolveAccess } from '../../shared/server/access/resolveAccess.js';
import {
  decryptBytes,
  encryptMetadata,
  fingerprint,
  generateDataKey,
  generateGroupKeyPair,
  generateGroupSecret,
  sealGroupPrivateKey,
  toBase64Url,
  wrapKey,
  wrapKeyUnderKey,
} from '../../shared/core/crypto/index.js';
import { keys } from '../../shared/server/data/keys.js';
import { MAX_DEPTH } from '../../shared/server/data/nodes.js';
import { propagatePaths } from '../../shared/server/data/tree.js';
import { type Actor, newDocumentId, register } from '../helpers/actors.js';
import { childLabel, type DocumentHandle, type FolderHandle, folderLabel, mkdir, openKeyPath, shareFolder, uploadInto } from '../helpers/folders.js';
import { api } from '../helpers/http.js';
import { type LocalStack, startLocalStack } from '../helpers/localStack.js';

let stack: LocalStack;
let url: string;
let alice: Actor, bob: Actor, carol: Actor, dave: Actor, erin: Actor;
const text = (s: string) => new TextEncoder().encode(s);

beforeAll(async () => {
  stack = await startLocalStack();
  url = stack.url;
  [alice, bob, carol, dave, erin] = (await Promise.all(['alice', 'bob', 'carol', 'dave', 'erin'].map((u) => register(url, u)))) as [
    Actor, Actor, Actor, Actor, Actor,
  ];
});
afterAll(() => stack?.stop());

async function meta(nodeId: string) {
  return (await stack.deps.db.doc.send(new GetCommand({ TableName: stack.table, Key: keys.nodeMeta(nodeId), ConsistentRead: true }))).Item!;
}
async function partition(nodeId: string) {
  const out = await stack.deps.db.doc.send(
    new QueryCommand({ TableName: stack.table, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': `NODE#${nodeId}` }, ConsistentRead: true }),
  );
  return out.Items ?? [];
}
async function setStalePath(nodeId: string, path: string[]) {
  await stack.deps.db.doc.send(
    new UpdateCommand({
      TableName: stack.table,
      Key: keys.nodeMeta(nodeId),
      UpdateExpression: 'SET #path = :path',
      ExpressionAttributeNames: { '#path': 'path' },
      ExpressionAttributeValues: { ':path': path },
    }),
  );
}

type Node = { id: string; key: Uint8Array; generation: number };
const asNode = (h: FolderHandle | DocumentHandle): Node =>
  'folderId' in h ? { id: h.folderId, key: h.key, generation: h.generation } : { id: h.documentId, key: h.dek, generation: 1 };

/** POST /nodes/{id}/move with the node's key wrapped under the destination's (as a client does). */
async function move(by: Actor, node: FolderHandle | DocumentHandle, to: FolderHandle | null, extra: Record<string, unknown> = {}) {
  const n = asNode(node);
  const body = to
    ? {
        parentId: to.folderId,
        parentWrap: await wrapKeyUnderKey(to.key, n.key, childLabel(n.id, n.generation, to.folderId, to.generation)),
        parentKeyGeneration: to.generation,
        ...extra,
      }
    : { parentId: null, ...extra };
  return api(url, 'POST', `/nodes/${n.id}/move`, { token: by.accessToken, body });
}
const dryRun = (by: Actor, node: FolderHandle | DocumentHandle, to: FolderHandle | null) =>
  api(url, 'POST', `/nodes/${asNode(node).id}/move`, { token: by.accessToken, body: { parentId: to?.folderId ?? null, dryRun: true } });

async function readDocument(actor: Actor, documentId: string): Promise<Uint8Array> {
  const got = await api(url, 'GET', `/documents/${documentId}`, { token: actor.accessToken });
  if (got.status !== 200) throw Object.assign(new Error(`get: ${got.status}`), { status: got.status });
  const dek = await openKeyPath(actor, { nodeId: documentId, kind: 'document' }, got.body.keyPath);
  const res = await fetch(got.body.download.url);
  return decryptBytes(dek, { documentId, version: got.body.version }, new Uint8Array(await res.arrayBuffer()));
}

/** A group made through the API: `admin` creates it, the others join as members. */
async function createGroup(admin: Actor, members: Actor[]) {
  const groupId = newDocumentId();
  const pair = await generateGroupKeyPair();
  const secret = generateGroupSecret();
  const wrapSecret = async (a: Actor) =>
    toBase64Url(await wrapKey(a.publicKey, secret, { kind: 'group', resourceId: groupId, generation: 1, recipientId: `u:${a.userId}` }));
  const groupFingerprint = await fingerprint(pair.publicKeySpki);
  const created = await api(url, 'POST', '/groups', {
    token: admin.accessToken,
    body: {
      groupId,
      name: 'Team',
      publicKey: toBase64Url(pair.publicKeySpki),
      fingerprint: groupFingerprint,
      sealedPrivateKey: await sealGroupPrivateKey(secret, pair.privateKeyPkcs8, { groupId, generation: 1 }),
      keyGeneration: 1,
      creatorWrappedSecret: await wrapSecret(admin),
    },
  });
  if (created.status !== 201) throw new Error(`group: ${created.status} ${JSON.stringify(created.body)}`);
  const added = await api(url, 'POST', `/groups/${groupId}/members`, {
    token: admin.accessToken,
    body: {
      members: await Promise.all(
        members.map(async (m) => ({ principalId: `u:${m.userId}`, wrappedSecret: await wrapSecret(m), keyGeneration: 1, fingerprint: m.fingerprint })),
      ),
    },
  });
  if (added.status !== 200) throw new Error(`members: ${added.status} ${JSON.stringify(added.body)}`);
  return { groupId, publicKey: pair.publicKey, fingerprint: groupFingerprint };
}

describe('moving', () => {
  it('reports who gains access in a dry run that writes nothing, then moves and re-wraps the key for the destination', async () => {
    const a = await mkdir(url, alice, 'From');
    const b = await mkdir(url, alice, 'To');
    const doc = await uploadInto(url, alice, a, text('moving'), 'm.txt');
    await shareFolder(url, alice, a, bob, 'viewer');
    await shareFolder(url, alice, b, carol, 'editor');
    await shareFolder(url, alice, b, bob, 'viewer'); // bob keeps access: not a gain
    const group = await createGroup(alice, [dave, erin]);
    const groupWrap = await wrapKey(group.publicKey, b.key, folderLabel(b.folderId, 1, `g:${group.groupId}`));
    const shared = await api(url, 'POST', `/nodes/${b.folderId}/share`, {
      token: alice.accessToken,
      body: { keyGeneration: 1, grants: [{ principalId: `g:${group.groupId}`, wrappedKey: toBase64Url(groupWrap), fingerprint: group.fingerprint, role: 'viewer' }] },
    });
    expect(shared.status).toBe(200);

    const before = await Promise.all([a.folderId, b.folderId, doc.documentId].map(partition));
    const preview = await dryRun(alice, doc, b);
    expect(preview.status).toBe(200);
    expect(preview.body).toEqual({
      nodeId: doc.documentId,
      parentId: b.folderId,
      dryRun: true,
      // carol, and the group of three (alice, dave, erin): four people.
      gainedAccess: { principals: [`g:${group.groupId}`, 'u:carol'].sort(), people: 4 },
    });
    expect(await Promise.all([a.folderId, b.folderId, doc.documentId].map(partition))).toEqual(before);

    const noWrap = await api(url, 'POST', `/nodes/${doc.documentId}/move`, { token: alice.accessToken, body: { parentId: b.folderId } });
    expect(noWrap.status).toBe(400);
    const stale = await move(alice, doc, { ...b, generation: 2 });
    expect([stale.status, stale.body.error.code]).toEqual([409, 'PARENT_KEY_CHANGED']);

    const moved = await move(alice, doc, b);
    expect(moved.status).toBe(200);
    expect(moved.body).toEqual({ ...preview.body, dryRun: false });
    expect(await meta(doc.documentId)).toMatchObject({ parentId: b.folderId, path: [b.folderId], parentKeyGeneration: 1 });
    expect((await partition(a.folderId)).filter((i) => i.sk.startsWith('CHILD#'))).toEqual([]);
    expect((await partition(b.folderId)).filter((i) => i.sk.startsWith('CHILD#')).map((i) => i.nodeId)).toEqual([doc.documentId]);
    // carol reads it through B with only the keys the server gives her.
    expect(await readDocument(carol, doc.documentId)).toEqual(text('moving'));
    expect(await readDocument(bob, doc.documentId)).toEqual(text('moving'));
  }, 20_000);

  it('reports nothing gained when everyone at the destination already had access, and moves a folder with its contents', async () => {
    const a = await mkdir(url, alice, 'Shared A');
    const b = await mkdir(url, alice, 'Inside A', a);
    const x = await mkdir(url, alice, 'X');
    const doc = await uploadInto(url, alice, x, text('in x'), 'x.txt');
    await shareFolder(url, alice, a, bob, 'viewer');
    await shareFolder(url, alice, x, bob, 'viewer');
    const res = await move(alice, x, b);
    expect(res.body.gainedAccess).toEqual({ principals: [], people: 0 });
    await shareFolder(url, alice, a, carol, 'viewer');
    // carol reaches the document through A -> B -> X (X's key re-wrapped under B's) -> the document.
    const got = await api(url, 'GET', `/documents/${doc.documentId}`, { token: carol.accessToken });
    expect(got.body.keyPath.steps.map((s: { nodeId: string }) => s.nodeId)).toEqual([b.folderId, x.folderId, doc.documentId]);
    expect(await readDocument(carol, doc.documentId)).toEqual(text('in x'));
  });

  it('refuses a cycle, a destination that is not a folder, the same parent, and a move that would nest too deep', async () => {
    const a = await mkdir(url, alice, 'A');
    const b = await mkdir(url, alice, 'B', a);
    const c = await mkdir(url, alice, 'C', b);
    const doc = await uploadInto(url, alice, a, text('x'), 'x.txt');
    const self = await dryRun(alice, a, a);
    expect([self.status, self.body.error.code]).toEqual([422, 'MOVE_CYCLE']);
    for (const target of [b, c]) {
      const res = await move(alice, a, target);
      expect([res.status, res.body.error.code]).toEqual([422, 'MOVE_CYCLE']);
    }
    const intoDoc = await api(url, 'POST', `/nodes/${c.folderId}/move`, { token: alice.accessToken, body: { parentId: doc.documentId, dryRun: true } });
    expect([intoDoc.status, intoDoc.body.error.code]).toEqual([422, 'NOT_A_FOLDER']);
    const same = await move(alice, c, b);
    expect([same.status, same.body.error.code]).toEqual([422, 'SAME_PARENT']);

    // A chain whose last folder has 48 ancestors: A (with B and C below it) moved there would put C at depth 51.
    let deep = await mkdir(url, alice, 'deep 0');
    for (let depth = 1; depth <= MAX_DEPTH - 2; depth++) deep = await mkdir(url, alice, `deep ${depth}`, deep);
    const tooDeep = await dryRun(alice, a, deep);
    expect([tooDeep.status, tooDeep.body.error.code]).toEqual([422, 'TOO_DEEP']);
    // B (C below it) fits exactly: B with 49 ancestors, C with 50.
    expect((await move(alice, b, deep)).status).toBe(200);
    expect((await meta(c.folderId)).path).toHaveLength(MAX_DEPTH);
  }, 35_000);

  it('moves to the root for the owner only, never for a guest, and with no parent wrap', async () => {
    const a = await mkdir(url, alice, 'Root rules');
    await shareFolder(url, alice, a, bob, 'editor');
    await shareFolder(url, alice, a, dave, 'editor');
    const doc = await uploadInto(url, alice, a, text('to the top'), 'top.txt');

    const byEditor = await move(bob, doc, null);
    expect([byEditor.status, byEditor.body.error.code]).toEqual([403, 'NOT_OWNER']);
    // dave's own folder, and dave acting as a guest (a guest's token): owner, but never to the root.
    const daves = await mkdir(url, dave, 'daves', a);
    const guestToken = (await stack.deps.tokens.issue({ sub: 'dave', kind: 'guest' })).token;
    const byGuest = await move({ ...dave, accessToken: guestToken }, daves, null);
    expect([byGuest.status, byGuest.body.error.code]).toEqual([403, 'GUEST_FORBIDDEN']);
    const withWrap = await api(url, 'POST', `/nodes/${doc.documentId}/move`, {
      token: alice.accessToken,
      body: { parentId: null, parentWrap: 'A'.repeat(82), parentKeyGeneration: 1 },
    });
    expect(withWrap.status).toBe(400);

    const res = await move(alice, doc, null);
    expect(res.body).toEqual({ nodeId: doc.documentId, parentId: null, dryRun: false, gainedAccess: { principals: [], people: 0 } });
    const m = await meta(doc.documentId);
    expect(m.path).toEqual([]);
    expect([m.parentId, m.parentWrap, m.parentKeyGeneration]).toEqual([undefined, undefined, undefined]);
    expect((await api(url, 'GET', `/documents/${doc.documentId}`, { token: bob.accessToken })).status).toBe(404);
    expect(await readDocument(alice, doc.documentId)).toEqual(text('to the top'));
    const again = await move(alice, doc, null);
    expect([again.status, again.body.error.code]).toEqual([422, 'SAME_PARENT']);
  });

  it('of two concurrent moves that would close a cycle, lets at most one through', async () => {
    for (let round = 0; round < 3; round++) {
      const a = await mkdir(url, alice, `cycle A ${round}`);
      const b = await mkdir(url, alice, `cycle B ${round}`);
      const [ab, ba] = await Promise.all([move(alice, a, b), move(alice, b, a)]);
      const statuses = [ab.status, ba.status];
      expect(statuses.filter((s) => s === 200).length).toBeLessThanOrEqual(1);
      for (const r of [ab, ba]) if (r.status !== 200) expect(['CONCURRENT_UPDATE', 'MOVE_CYCLE']).toContain(r.body.error.code);
      const [ma, mb] = [await meta(a.folderId), await meta(b.folderId)];
      expect(ma.parentId === b.folderId && mb.parentId === a.folderId).toBe(false);
    }
  });
});

describe('path propagation', () => {
  it('rewrites the path of every node of a moved 3-level subtree, top down', async () => {
    const a = await mkdir(url, alice, 'Old home');
    const b = await mkdir(url, alice, 'New home');
    const c = await mkdir(url, alice, 'New home/C', b);
    const x = await mkdir(url, alice, 'X', a);
    const y = await mkdir(url, alice, 'Y', x);
    const z = await mkdir(url, alice, 'Z', y);
    const inX = await uploadInto(url, alice, x, text('1'), '1.txt');
    const inZ = await uploadInto(url, alice, z, text('3'), '3.txt');
    const revs = await Promise.all([y.folderId, z.folderId, inZ.documentId].map(async (id) => (await meta(id)).rev as number));

    expect((await move(alice, x, c)).status).toBe(200);
    const expected: [string, string[]][] = [
      [x.folderId, [c.folderId, b.folderId]],
      [y.folderId, [x.folderId, c.folderId, b.folderId]],
      [z.folderId, [y.folderId, x.folderId, c.folderId, b.folderId]],
      [inX.documentId, [x.folderId, c.folderId, b.folderId]],
      [inZ.documentId, [z.folderId, y.folderId, x.folderId, c.folderId, b.folderId]],
    ];
    for (const [id, path] of expected) expect((await meta(id)).path).toEqual(path);
    // Each rewrite bumps rev, so a write that read the old path cannot commit over it.
    const after = await Promise.all([y.folderId, z.folderId, inZ.documentId].map(async (id) => (await meta(id)).rev as number));
    after.forEach((rev, i) => expect(rev).toBe(revs[i]! + 1));
    const inside = await api(url, 'GET', `/folders/${z.folderId}`, { token: alice.accessToken });
    expect(inside.body.path).toEqual([y.folderId, x.folderId, c.folderId, b.folderId]);
  });

  /** A, shared with bob; B, shared with carol; X (with Y and a document in Y) moved from A to B. */
  async function movedSubtree() {
    const a = await mkdir(url, alice, 'Was here');
    const b = await mkdir(url, alice, 'Now here');
    const x = await mkdir(url, alice, 'Moving', a);
    const y = await mkdir(url, alice, 'Moving/Y', x);
    const doc = await uploadInto(url, alice, y, text('fresh path only'), 'f.txt');
    await shareFolder(url, alice, a, bob, 'viewer'); // the old location's reader
    await shareFolder(url, alice, b, carol, 'viewer'); // the new location's reader
    expect(await readDocument(bob, doc.documentId)).toEqual(text('fresh path only'));
    expect((await move(alice, x, b)).status).toBe(200);
    return { a, b, x, y, doc };
  }

  /** What a check below the moved folder must conclude, whatever stored paths it meets. */
  async function expectFreshAnswers({ b, x, y, doc }: Awaited<ReturnType<typeof movedSubtree>>) {
    const asCarol = await resolveAccess(stack.deps, { userId: 'carol', kind: 'member' }, doc.documentId);
    expect(asCarol.ancestors.map((n) => n.nodeId)).toEqual([y.folderId, x.folderId, b.folderId]);
    expect(asCarol.role).toBe('viewer');
    await expect(resolveAccess(stack.deps, { userId: 'bob', kind: 'member' }, doc.documentId)).rejects.toMatchObject({ code: 'NODE_NOT_FOUND' });
    expect((await api(url, 'GET', `/documents/${doc.documentId}`, { token: bob.accessToken })).status).toBe(404);
    expect((await api(url, 'GET', `/folders/${y.folderId}`, { token: bob.accessToken })).status).toBe(404);
    expect(await readDocument(carol, doc.documentId)).toEqual(text('fresh path only'));
    expect((await api(url, 'GET', `/folders/${y.folderId}`, { token: carol.accessToken })).body.path).toEqual([x.folderId, b.folderId]);
  }

  it('never answers a check from a stale path: a node whose stored path still names the old location', async () => {
    const tree = await movedSubtree();
    // As if propagation had updated Y but not yet the document.
    await setStalePath(tree.doc.documentId, [tree.y.folderId, tree.x.folderId, tree.a.folderId]);
    await expectFreshAnswers(tree);
  });

  it('never answers a check from a stale path: two levels not yet propagated (the resolver follows the moved folder\'s own path)', async () => {
    const tree = await movedSubtree();
    // Top-down propagation not yet past X: Y's stored path and the document's both still name A.
    await setStalePath(tree.y.folderId, [tree.x.folderId, tree.a.folderId]);
    await setStalePath(tree.doc.documentId, [tree.y.folderId, tree.x.folderId, tree.a.folderId]);
    await expectFreshAnswers(tree);

    // Propagation is idempotent: running it again repairs the stored paths.
    expect(await propagatePaths(stack.deps.db, tree.x.folderId, [tree.b.folderId])).toEqual({ updated: 2, skipped: 0 });
    expect((await meta(tree.doc.documentId)).path).toEqual([tree.y.folderId, tree.x.folderId, tree.b.folderId]);
  });
});

describe('moving a limited folder', () => {
  it('keeps no parent wrap, so the destination readers do not inherit it', async () => {
    const a = await mkdir(url, alice, 'Src');
    const b = await mkdir(url, alice, 'Dst');
    const l = await mkdir(url, alice, 'Limited', a);
    await shareFolder(url, alice, b, bob, 'viewer');
    // Limit L (alice is its only direct grantee).
    const next = generateDataKey();
    const limited = await api(url, 'POST', `/folders/${l.folderId}/limit`, {
      token: alice.accessToken,
      body: {
        limited: true,
        keyGeneration: 2,
        chainWrap: await wrapKeyUnderKey(next, l.key, { kind: 'key-chain', resourceId: l.folderId, generation: 1, parentId: l.folderId, parentGeneration: 2 }),
        encryptedName: await encryptMetadata(next, l.folderId, 'name', 'Limited'),
        grants: [
          { principalId: 'u:alice', wrappedKey: toBase64Url(await wrapKey(alice.publicKey, next, folderLabel(l.folderId, 2, 'u:alice'))), fingerprint: alice.fingerprint },
        ],
      },
    });
    expect(limited.status).toBe(200);
    const withWrap = await move(alice, { ...l, key: next, generation: 2 }, b);
    expect(withWrap.status).toBe(400);
    const res = await api(url, 'POST', `/nodes/${l.folderId}/move`, { token: alice.accessToken, body: { parentId: b.folderId } });
    expect(res.body.gainedAccess).toEqual({ principals: [], people: 0 });
    expect((await meta(l.folderId)).parentWrap).toBeUndefined();
    expect((await api(url, 'GET', `/folders/${l.folderId}`, { token: bob.accessToken })).status).toBe(404);
  });
});

describe('the SDK', () => {
  it('runs a dry run first and moves only when nobody gains access or the caller confirms', async () => {
    const asAlice = new CofferClient({ serverUrl: url, tuning: { allowWeakKdf: true } });
    await asAlice.login('alice', alice.passphrase);
    const mine = await asAlice.createFolder('Mine');
    const alsoMine = await asAlice.createFolder('Also mine');
    const team = await asAlice.createFolder('Team');
    await asAlice.share(team.folderId, { userIds: ['bob', 'carol'] });
    const doc = await asAlice.upload(text('draft'), { name: 'draft.txt', parent: mine.folderId });

    // Nobody gains: no question asked.
    expect(await asAlice.move(doc.documentId, alsoMine.folderId)).toEqual({
      nodeId: doc.documentId,
      parentId: alsoMine.folderId,
      gainedAccess: { principals: [], people: 0 },
      moved: true,
    });
    await expect(asAlice.move(doc.documentId, team.folderId)).rejects.toMatchObject({
      code: 'MOVE_NEEDS_CONFIRMATION',
      details: { gainedAccess: { principals: ['u:bob', 'u:carol'], people: 2 } },
    });
    const asked: MovePreview[] = [];
    const declined = await asAlice.move(doc.documentId, team.folderId, { confirm: (p) => (asked.push(p), false) });
    expect(declined.moved).toBe(false);
    expect(asked).toEqual([{ nodeId: doc.documentId, parentId: team.folderId, gainedAccess: { principals: ['u:bob', 'u:carol'], people: 2 } }]);
    expect((await meta(doc.documentId)).parentId).toBe(alsoMine.folderId);
    expect((await asAlice.move(doc.documentId, team.folderId, { confirm: () => true })).moved).toBe(true);
    expect(await readDocument(bob, doc.documentId)).toEqual(text('draft'));
    // A folder with its contents, then back to the top level.
    expect((await asAlice.move(alsoMine.folderId, team.folderId, { confirm: () => true })).moved).toBe(true);
    expect((await asAlice.move(alsoMine.folderId, null)).moved).toBe(true);
    expect((await meta(alsoMine.folderId)).path).toEqual([]);
  });
});

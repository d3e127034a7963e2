import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fromBase64Url, unwrapKey } from '../../shared/core/crypto/index.js';
import { keys } from '../../shared/server/data/keys.js';
import { type Actor, download, register, shareGrant, upload, type UploadedDocument } from '../helpers/actors.js';
import { api } from '../helpers/http.js';
import { type LocalStack, startLocalStack } from '../helpers/localStack.js';

/** The handlers' clock: tests move it to expire shares. */
let offsetMs = 0;
let stack: LocalStack;
let url: string;
let alice: Actor, bob: Actor, carol: Actor, dave: Actor, erin: Actor, mallory: Actor;
const text = (s: string) => new TextEncoder().encode(s);

beforeAll(async () => {
  stack = await startLocalStack({ clock: () => Date.now() + offsetMs });
  url = stack.url;
  [alice, bob, carol, dave, erin, mallory] = (await Promise.all(['alice', 'bob', 'carol', 'dave', 'erin', 'mallory'].map((u) => register(url, u)))) as [
    Actor, Actor, Actor, Actor, Actor, Actor,
  ];
});
afterAll(() => stack?.stop());

const share = async (by: Actor, doc: UploadedDocument, to: Actor, role = 'viewer', extra: Record<string, unknown> = {}) =>
  api(url, 'POST', `/nodes/${doc.documentId}/share`, {
    token: by.accessToken,
    body: { keyGeneration: 1, grants: [{ ...(await shareGrant(to, doc.documentId, doc.dek, role)), ...extra }] },
  });
const setRole = (by: Actor, doc: UploadedDocument, to: Actor, role: string, expiresAt?: string | null) =>
  api(url, 'PUT', `/nodes/${doc.documentId}/grants/u:${to.userId}`, {
    token: by.accessToken,
    body: expiresAt === undefined ? { role } : { role, expiresAt },
  });
const revoke = (by: Actor, doc: UploadedDocument, to: Actor) =>
  api(url, 'POST', `/nodes/${doc.documentId}/revoke`, { token: by.accessToken, body: { principalIds: [`u:${to.userId}`] } });
const getDoc = (by: Actor, doc: UploadedDocument) => api(url, 'GET', `/documents/${doc.documentId}`, { token: by.accessToken });

async function grantItem(doc: UploadedDocument, actor: Actor) {
  const out = await stack.deps.db.doc.send(new GetCommand({ TableName: stack.table, Key: keys.grant(doc.documentId, `u:${actor.userId}`) }));
  return out.Item;
}
async function meta(doc: UploadedDocument) {
  const out = await stack.deps.db.doc.send(new GetCommand({ TableName: stack.table, Key: keys.nodeMeta(doc.documentId) }));
  return out.Item!;
}

describe('levels', () => {
  it('gives each level its capabilities on GET, and changes a level without re-encryption', async () => {
    const doc = await upload(url, alice, text('levels'), 'l.txt');
    expect((await share(alice, doc, bob, 'commenter')).status).toBe(200);
    const asCommenter = await getDoc(bob, doc);
    expect(asCommenter.body.role).toBe('commenter');
    expect(asCommenter.body.capabilities).toEqual(['view', 'download', 'comment']);
    const wrappedBefore = (await grantItem(doc, bob))!.wrappedKey;

    const changed = await setRole(alice, doc, bob, 'editor');
    expect(changed.status).toBe(200);
    const asEditor = await getDoc(bob, doc);
    expect(asEditor.body.role).toBe('editor');
    expect(asEditor.body.capabilities).toEqual(['view', 'download', 'comment', 'edit', 'share']);
    // A registry update only: the same wrapped key, the same key generation, and it still opens.
    expect((await grantItem(doc, bob))!.wrappedKey).toBe(wrappedBefore);
    expect((await meta(doc)).acl['u:bob']).toEqual({ role: 'editor' });
    expect(await download(url, bob, doc.documentId)).toEqual(text('levels'));
  });

  it('lets an editor share up to editor while editorsCanShare is on, and refuses once the owner turns it off', async () => {
    const doc = await upload(url, alice, text('editors'), 'e.txt');
    await share(alice, doc, bob, 'editor');
    const tooHigh = await share(bob, doc, carol, 'manager');
    expect([tooHigh.status, tooHigh.body.error.code]).toEqual([403, 'LEVEL_TOO_HIGH']);
    expect((await share(bob, doc, carol, 'editor')).status).toBe(200);

    const notOwner = await api(url, 'PUT', `/nodes/${doc.documentId}/settings`, { token: bob.accessToken, body: { editorsCanShare: false } });
    expect([notOwner.status, notOwner.body.error.code]).toEqual([403, 'NOT_OWNER']);
    const off = await api(url, 'PUT', `/nodes/${doc.documentId}/settings`, { token: alice.accessToken, body: { editorsCanShare: false } });
    expect(off.status).toBe(200);
    const refused = await share(bob, doc, dave);
    expect([refused.status, refused.body.error.code]).toEqual([403, 'CANNOT_SHARE']);
    expect((await getDoc(bob, doc)).body.capabilities).not.toContain('share');
    // An editor never manages: no revoke, no level change.
    expect((await revoke(bob, doc, carol)).body.error.code).toBe('CANNOT_MANAGE');
    expect((await setRole(bob, doc, carol, 'viewer')).body.error.code).toBe('CANNOT_MANAGE');
  });

  it('lets a manager grant, change and revoke up to manager, never the owner', async () => {
    const doc = await upload(url, alice, text('managers'), 'm.txt');
    await share(alice, doc, bob, 'manager');
    expect((await share(bob, doc, carol, 'manager')).status).toBe(200);
    expect((await setRole(bob, doc, carol, 'viewer')).status).toBe(200);
    expect((await revoke(bob, doc, carol)).status).toBe(200);
    const owner = await revoke(bob, doc, alice);
    expect([owner.status, owner.body.error.code]).toEqual([403, 'CANNOT_REVOKE_OWNER']);
    const ownerLevel = await setRole(bob, doc, alice, 'viewer');
    expect([ownerLevel.status, ownerLevel.body.error.code]).toEqual([403, 'CANNOT_REVOKE_OWNER']);
    const grantOwner = await share(bob, doc, dave, 'owner');
    expect(grantOwner.status).toBe(400);
    const del = await api(url, 'DELETE', `/documents/${doc.documentId}`, { token: bob.accessToken });
    expect([del.status, del.body.error.code]).toEqual([403, 'NOT_OWNER']);
  });

  it('lets a user give up their own grant, but not the owner', async () => {
    const doc = await upload(url, alice, text('leave'), 'leave.txt');
    await share(alice, doc, bob);
    expect((await revoke(bob, doc, bob)).status).toBe(200);
    expect((await getDoc(bob, doc)).status).toBe(404);
    expect((await revoke(alice, doc, alice)).body.error.code).toBe('CANNOT_REVOKE_OWNER');
  });

  it('refuses sharing with yourself, duplicates, and a level change for someone without a direct grant', async () => {
    const doc = await upload(url, alice, text('x'), 'x.txt');
    expect((await share(alice, doc, alice)).status).toBe(400);
    const dup = await api(url, 'POST', `/nodes/${doc.documentId}/share`, {
      token: alice.accessToken,
      body: { keyGeneration: 1, grants: [await shareGrant(bob, doc.documentId, doc.dek), await shareGrant(bob, doc.documentId, doc.dek)] },
    });
    expect(dup.status).toBe(400);
    expect((await setRole(alice, doc, carol, 'viewer')).body.error.code).toBe('NOT_SHARED');
  });
});

describe('expiring shares', () => {
  it('treats a grant as gone from its expiry instant, in checks and in listings', async () => {
    const doc = await upload(url, alice, text('expiring'), 'x.txt');
    const expiresAt = new Date(Date.now() + offsetMs + 300_000).toISOString(); // within the access tokens' 15 minutes
    expect((await share(alice, doc, bob, 'viewer', { expiresAt })).status).toBe(200);
    expect((await getDoc(bob, doc)).status).toBe(200);
    const item = await grantItem(doc, bob);
    expect(item!.grantExpiresAt).toBe(expiresAt);
    expect(item!.gsi2pk).toBe('EXPIRY'); // the cleanup job finds it

    offsetMs += 300_001;
    try {
      const after = await getDoc(bob, doc);
      expect([after.status, after.body.error.code]).toEqual([404, 'DOCUMENT_NOT_FOUND']);
      const listed = await api(url, 'GET', '/documents', { token: bob.accessToken });
      expect(listed.body.documents.map((d: { documentId: string }) => d.documentId)).not.toContain(doc.documentId);
      const perms = await api(url, 'GET', `/nodes/${doc.documentId}/permissions`, { token: alice.accessToken });
      expect(perms.body.entries.map((e: { principalId: string }) => e.principalId)).toEqual(['u:alice']);
    } finally {
      offsetMs -= 300_001;
    }
  });

  it('refuses an expiry in the past or more than a year ahead', async () => {
    const doc = await upload(url, alice, text('x'), 'x.txt');
    for (const expiresAt of [new Date(Date.now() - 1000).toISOString(), new Date(Date.now() + 400 * 86_400_000).toISOString()]) {
      const res = await share(alice, doc, bob, 'viewer', { expiresAt });
      expect([res.status, res.body.error.code]).toEqual([422, 'BAD_EXPIRY']);
    }
  });

  it('can extend or clear an expiry with a level change', async () => {
    const doc = await upload(url, alice, text('x'), 'x.txt');
    await share(alice, doc, bob, 'viewer', { expiresAt: new Date(Date.now() + 60_000).toISOString() });
    expect((await setRole(alice, doc, bob, 'viewer', null)).status).toBe(200);
    const item = await grantItem(doc, bob);
    expect(item!.grantExpiresAt).toBeUndefined();
    expect(item!.gsi2pk).toBeUndefined();
    expect((await meta(doc)).acl['u:bob']).toEqual({ role: 'viewer' });
  });
});

describe('ownership transfer', () => {
  it('needs a new owner who already holds the key; the old owner becomes manager', async () => {
    const doc = await upload(url, alice, text('transfer'), 't.txt');
    const noKey = await api(url, 'POST', `/nodes/${doc.documentId}/transfer`, { token: alice.accessToken, body: { newOwnerId: 'bob' } });
    expect([noKey.status, noKey.body.error.code]).toEqual([422, 'NEW_OWNER_HAS_NO_KEY']);
    await share(alice, doc, bob, 'editor');
    const notOwner = await api(url, 'POST', `/nodes/${doc.documentId}/transfer`, { token: bob.accessToken, body: { newOwnerId: 'bob' } });
    expect(notOwner.body.error.code).toBe('NOT_OWNER');
    const done = await api(url, 'POST', `/nodes/${doc.documentId}/transfer`, { token: alice.accessToken, body: { newOwnerId: 'bob' } });
    expect(done.status).toBe(200);
    expect((await getDoc(bob, doc)).body.role).toBe('owner');
    expect((await getDoc(alice, doc)).body.role).toBe('manager');
    expect((await meta(doc)).ownerId).toBe('bob');
    expect((await grantItem(doc, bob))!.role).toBe('owner');
    expect((await api(url, 'DELETE', `/documents/${doc.documentId}`, { token: alice.accessToken })).body.error.code).toBe('NOT_OWNER');
  });
});

describe('effective permissions and the batch check', () => {
  it('lists each principal with its level and source', async () => {
    const doc = await upload(url, alice, text('p'), 'p.txt');
    await share(alice, doc, bob, 'editor');
    const res = await api(url, 'GET', `/nodes/${doc.documentId}/permissions`, { token: bob.accessToken });
    expect(res.status).toBe(200);
    expect(res.body.entries).toEqual(
      expect.arrayContaining([
        { principalId: 'u:alice', principalKind: 'user', role: 'owner', source: 'direct' },
        { principalId: 'u:bob', principalKind: 'user', role: 'editor', source: 'direct' },
      ]),
    );
    expect((await api(url, 'GET', `/nodes/${doc.documentId}/permissions`, { token: mallory.accessToken })).status).toBe(404);
  });

  it('answers "which of these can I see" for many ids at once, leaving out the rest', async () => {
    const mine = await upload(url, erin, text('1'), '1.txt');
    const shared = await upload(url, alice, text('2'), '2.txt');
    const hidden = await upload(url, alice, text('3'), '3.txt');
    await share(alice, shared, erin, 'commenter');
    const res = await api(url, 'POST', '/access/check', {
      token: erin.accessToken,
      body: { nodeIds: [mine.documentId, shared.documentId, hidden.documentId] },
    });
    expect(res.status).toBe(200);
    expect(res.body.results).toEqual([
      { nodeId: mine.documentId, role: 'owner', capabilities: ['view', 'download', 'comment', 'edit', 'share', 'manage', 'delete', 'transfer', 'settings'] },
      { nodeId: shared.documentId, role: 'commenter', capabilities: ['view', 'download', 'comment'] },
    ]);
    const tooMany = await api(url, 'POST', '/access/check', { token: erin.accessToken, body: { nodeIds: Array(101).fill(mine.documentId) } });
    expect(tooMany.status).toBe(400);
  });
});

describe('BOLA and races', () => {
  it('gives a stranger the same 404 on every sharing route, and changes nothing', async () => {
    const doc = await upload(url, alice, text('bola'), 'b.txt');
    const before = await meta(doc);
    const routes: [string, string, unknown][] = [
      ['GET', `/nodes/${doc.documentId}`, undefined],
      ['POST', `/nodes/${doc.documentId}/share`, { keyGeneration: 1, grants: [await shareGrant(mallory, doc.documentId, doc.dek)] }],
      ['POST', `/nodes/${doc.documentId}/revoke`, { principalIds: ['u:alice'] }],
      ['PUT', `/nodes/${doc.documentId}/grants/u:alice`, { role: 'viewer' }],
      ['GET', `/nodes/${doc.documentId}/permissions`, undefined],
      ['PUT', `/nodes/${doc.documentId}/settings`, { editorsCanShare: false }],
      ['POST', `/nodes/${doc.documentId}/transfer`, { newOwnerId: 'mallory' }],
    ];
    for (const [method, path, body] of routes) {
      const res = await api(url, method, path, { token: mallory.accessToken, ...(body ? { body } : {}) });
      expect([path, res.status, res.body.error.code]).toEqual([path, 404, 'NODE_NOT_FOUND']);
    }
    expect(await meta(doc)).toEqual(before);
  });

  it('does not let a share ride on a level revoked at the same moment', async () => {
    const doc = await upload(url, alice, text('race'), 'r.txt');
    await share(alice, doc, bob, 'manager');
    const [byBob, revoked] = await Promise.all([share(bob, doc, carol), revoke(alice, doc, bob)]);
    const m = await meta(doc);
    // Bob's share counts only if it committed before the revoke (the rev guard orders them):
    // otherwise it is refused, 404 once bob has no level, or 409 if both met in flight.
    if (byBob.status === 200) expect(m.acl['u:carol']).toEqual({ role: 'viewer' });
    else {
      expect([404, 409]).toContain(byBob.status);
      expect(m.acl['u:carol']).toBeUndefined();
    }
    expect([200, 409]).toContain(revoked.status);
    if (revoked.status === 200) expect(m.acl['u:bob']).toBeUndefined();
    else expect(m.acl['u:bob']).toEqual({ role: 'manager' });
    // The registry mirrors the ACL: every entry has its grant item and nothing else.
    for (const actor of [alice, bob, carol]) {
      expect(Boolean(await grantItem(doc, actor))).toBe(Boolean(m.acl[`u:${actor.userId}`]));
    }
  });

  it('binds the wrapped key a grant stores to its node, generation and principal', async () => {
    const doc = await upload(url, alice, text('bound'), 'b.txt');
    await share(alice, doc, bob);
    const got = await getDoc(bob, doc);
    expect(got.body.keyPath.entry).toMatchObject({ nodeId: doc.documentId, principalId: 'u:bob', keyGeneration: 1 });
    expect(got.body.keyPath.steps).toEqual([]);
    const wrapped = fromBase64Url(got.body.keyPath.entry.wrappedKey);
    await expect(unwrapKey(bob.privateKey, wrapped, { kind: 'dek', resourceId: doc.documentId, generation: 1, recipientId: 'u:carol' })).rejects.toMatchObject({
      code: 'DECRYPTION_FAILED',
    });
    await expect(unwrapKey(bob.privateKey, wrapped, { kind: 'folder', resourceId: doc.documentId, generation: 1, recipientId: 'u:bob' })).rejects.toMatchObject({
      code: 'DECRYPTION_FAILED',
    });
  });
});

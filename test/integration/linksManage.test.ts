import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { encryptMetadata, generateDataKey, MIN_PRODUCTION_KDF } from '../../shared/core/crypto/index.js';
import { keys } from '../../shared/server/data/keys.js';
import { type Actor, grantFor, newDocumentId, register, shareGrant, upload, type UploadedDocument } from '../helpers/actors.js';
import { mkdir, uploadInto } from '../helpers/folders.js';
import { api } from '../helpers/http.js';
import { auditItems, createLink, fakeProof, LINK_KDF, linkEvents, movableClock, newLink, openLink, scanTable } from '../helpers/links.js';
import { type LocalStack, startLocalStack } from '../helpers/localStack.js';

/** Share links, the managing side (docs/links.md, "createLink", "listLinks", "revokeLink"). */
const clock = movableClock();
let stack: LocalStack;
let url: string;
let alice: Actor, manager: Actor, editor: Actor, editor2: Actor, viewer: Actor, stranger: Actor, guest: Actor;
let doc: UploadedDocument;
const text = (s: string) => new TextEncoder().encode(s);
const DAY = 86_400_000;

beforeAll(async () => {
  stack = await startLocalStack({ clock: clock.now });
  url = stack.url;
  [alice, manager, editor, editor2, viewer, stranger] = await Promise.all(['alice', 'manager', 'editor', 'editor2', 'viewer', 'stranger'].map((u) => register(url, u))) as [Actor, Actor, Actor, Actor, Actor, Actor];
  const invitation = await api(url, 'POST', '/invitations', { token: alice.accessToken, body: {} });
  guest = await register(url, 'guest', undefined, { invitationCode: invitation.body.invitationCode });
  doc = await upload(url, alice, text('the shared document'), 'doc.txt');
  const grants = await Promise.all([
    shareGrant(manager, doc.documentId, doc.dek, 'manager'),
    shareGrant(editor, doc.documentId, doc.dek, 'editor'),
    shareGrant(editor2, doc.documentId, doc.dek, 'editor'),
    shareGrant(viewer, doc.documentId, doc.dek, 'viewer'),
    shareGrant(guest, doc.documentId, doc.dek, 'editor'),
  ]);
  const shared = await api(url, 'POST', `/nodes/${doc.documentId}/share`, { token: alice.accessToken, body: { keyGeneration: 1, grants } });
  expect(shared.status).toBe(200);
});
afterAll(() => stack?.stop());
afterEach(() => clock.reset());

async function linkItem(linkId: string) {
  return (await stack.deps.db.doc.send(new GetCommand({ TableName: stack.table, Key: keys.link(linkId), ConsistentRead: true }))).Item;
}

describe('createLink', () => {
  it('makes a 7-day download link for anyone by default, returns a 43-character token once and stores only its hash', async () => {
    const now = Date.parse('2031-01-01T00:00:00.000Z');
    clock.set(now);
    // Tokens were issued at real time: log in again at the frozen instant.
    const res = await createLink(url, await relogin(alice), doc.documentId);
    expect(res.status).toBe(201);
    const { token, link } = res.body;
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(link).toEqual({
      linkId: expect.stringMatching(/^[0-9a-f]{32}$/),
      nodeId: doc.documentId,
      nodeKind: 'document',
      createdBy: 'alice',
      createdAt: new Date(now).toISOString(),
      expiresAt: new Date(now + 7 * DAY).toISOString(),
      access: 'download',
      audience: { mode: 'anyone' },
      downloads: 0,
      accessCount: 0,
      passwordProtected: false,
      state: 'active',
    });
    const item = (await linkItem(link.linkId))!;
    expect(item).toMatchObject({
      pk: `LINK#${link.linkId}`,
      sk: 'LINK',
      type: 'link',
      gsi1pk: `LINKS#${doc.documentId}`,
      gsi1sk: `${new Date(now).toISOString()}#${link.linkId}`,
      gsi2pk: 'EXPIRY',
      gsi2sk: `${new Date(now + 7 * DAY).toISOString()}#LINK#${link.linkId}#LINK`,
      expiresAt: Math.floor((now + 14 * DAY) / 1000),
      failedAttempts: 0,
    });
    // No attribute anywhere in the table holds the token, or any part of it worth a guess.
    const dump = JSON.stringify(await scanTable(stack));
    expect(dump).not.toContain(token);
    expect(dump).not.toContain(token.slice(0, 16));
    expect(dump).not.toContain(Buffer.from(token, 'base64url').toString('hex').slice(0, 16));
  });

  it('stores a password as a verifier only, never the proof', async () => {
    const proof = fakeProof();
    const { token, linkId, link } = await newLink(url, alice, doc.documentId, { password: { proof, kdf: LINK_KDF } });
    expect(link.passwordProtected).toBe(true);
    const item = (await linkItem(linkId))!;
    expect(item.password).toEqual({ verifier: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/), kdf: LINK_KDF });
    expect((item.password as { verifier: string }).verifier).not.toBe(proof);
    const dump = JSON.stringify(await scanTable(stack));
    expect(dump).not.toContain(proof);
    expect(dump).not.toContain(token);
  });

  it('refuses an expiry in the past, now, or beyond the maximum, with INVALID_EXPIRY and nothing written', async () => {
    const now = Date.parse('2031-02-01T00:00:00.000Z');
    clock.set(now);
    const me = await relogin(alice);
    const before = (await api(url, 'GET', `/nodes/${doc.documentId}/links?limit=100`, { token: me.accessToken })).body.links.length;
    for (const expiresAt of [now - 1000, now, now + 90 * DAY + 1000]) {
      const res = await createLink(url, me, doc.documentId, { expiresAt: new Date(expiresAt).toISOString() });
      expect([res.status, res.body.error.code], new Date(expiresAt).toISOString()).toEqual([400, 'INVALID_EXPIRY']);
    }
    const atMax = await createLink(url, me, doc.documentId, { expiresAt: new Date(now + 90 * DAY).toISOString() });
    expect(atMax.status).toBe(201);
    const oneSecond = await createLink(url, me, doc.documentId, { expiresAt: new Date(now + 1000).toISOString() });
    expect(oneSecond.status).toBe(201);
    const after = (await api(url, 'GET', `/nodes/${doc.documentId}/links?limit=100`, { token: me.accessToken })).body.links.length;
    expect(after).toBe(before + 2);
  });

  it('refuses a wrap of another key generation (409), unknown listed users (422) and malformed bodies (400)', async () => {
    const stale = await createLink(url, alice, doc.documentId, { keyGeneration: 2 });
    expect([stale.status, stale.body.error.code, stale.body.error.details]).toEqual([409, 'KEY_GENERATION_MISMATCH', { keyGeneration: 1 }]);
    const unknown = await createLink(url, alice, doc.documentId, { audience: { mode: 'users', users: ['viewer', 'nobody-here'] } });
    expect([unknown.status, unknown.body.error.code, unknown.body.error.details]).toEqual([422, 'UNKNOWN_USERS', { userIds: ['nobody-here'] }]);
    const bad: Record<string, unknown>[] = [
      { wrappedKey: 'short' },
      { access: 'edit' },
      { maxDownloads: 0 },
      { maxDownloads: 1_000_001 },
      { audience: { mode: 'users', users: [] } },
      { audience: { mode: 'users' } },
      { audience: { mode: 'everyone' } },
      { password: { proof: 'x'.repeat(42), kdf: LINK_KDF } },
      { password: { proof: fakeProof() } },
      { expiresAt: 'tomorrow' },
      { token: 'not-allowed' },
    ];
    for (const body of bad) {
      const res = await createLink(url, alice, doc.documentId, body);
      expect([res.status, res.body.error.code], JSON.stringify(body)).toEqual([400, 'VALIDATION_FAILED']);
    }
  });

  it('refuses a password cost below the production floor unless weak KDFs are allowed', async () => {
    const strict = await startLocalStack({ clock: clock.now, settings: { allowWeakKdf: false } });
    try {
      const owner = await register(strict.url, 'owner', MIN_PRODUCTION_KDF);
      const d = await upload(strict.url, owner, text('x'), 'x.txt');
      const weak = await createLink(strict.url, owner, d.documentId, { password: { proof: fakeProof(), kdf: LINK_KDF } });
      expect([weak.status, weak.body.error.code]).toEqual([400, 'VALIDATION_FAILED']);
      const strong = await createLink(strict.url, owner, d.documentId, {
        password: { proof: fakeProof(), kdf: { algorithm: 'argon2id', memoryKiB: 19456, iterations: 2, parallelism: 1 } },
      });
      expect(strong.status).toBe(201);
    } finally {
      await strict.stop();
    }
  }, 45_000);

  it('needs share on the node: guests 403 GUEST_FORBIDDEN, viewers 403 CANNOT_SHARE, strangers 404; editors and managers may', async () => {
    const asGuest = await createLink(url, guest, doc.documentId);
    expect([asGuest.status, asGuest.body.error.code]).toEqual([403, 'GUEST_FORBIDDEN']);
    const asViewer = await createLink(url, viewer, doc.documentId);
    expect([asViewer.status, asViewer.body.error.code]).toEqual([403, 'CANNOT_SHARE']);
    const asStranger = await createLink(url, stranger, doc.documentId);
    expect([asStranger.status, asStranger.body.error.code]).toEqual([404, 'NODE_NOT_FOUND']);
    const unknownNode = await createLink(url, alice, newDocumentId());
    expect([unknownNode.status, unknownNode.body.error.code]).toEqual([404, 'NODE_NOT_FOUND']);
    expect((await createLink(url, editor, doc.documentId)).status).toBe(201);
    expect((await createLink(url, manager, doc.documentId)).status).toBe(201);
    const anonymous = await api(url, 'POST', `/nodes/${doc.documentId}/links`, { body: { wrappedKey: 'x'.repeat(82), keyGeneration: 1 } });
    expect(anonymous.status).toBe(401);
  });

  it('refuses a pending upload and a deleted document (404)', async () => {
    const documentId = newDocumentId();
    const dek = generateDataKey();
    const pending = await api(url, 'POST', '/documents', {
      token: alice.accessToken,
      body: { documentId, size: 100, keyGeneration: 1, encryptedName: await encryptMetadata(dek, documentId, 'name', 'p'), grants: [await grantFor(alice, documentId, dek)] },
    });
    expect(pending.status).toBe(201);
    const onPending = await createLink(url, alice, documentId);
    expect([onPending.status, onPending.body.error.code]).toEqual([404, 'NODE_NOT_FOUND']);

    const gone = await upload(url, alice, text('to delete'), 'gone.txt');
    expect((await api(url, 'DELETE', `/documents/${gone.documentId}`, { token: alice.accessToken })).status).toBe(204);
    const onDeleted = await createLink(url, alice, gone.documentId);
    expect([onDeleted.status, onDeleted.body.error.code]).toEqual([404, 'NODE_NOT_FOUND']);
  });
});

describe('listLinks', () => {
  it("shows each link's counts, last access and state, oldest first, never a token or verifier", async () => {
    const d = await upload(url, alice, text('listed'), 'listed.txt');
    const t0 = Date.parse('2032-03-01T00:00:00.000Z');
    clock.set(t0);
    const me = await relogin(alice);
    const plain = await newLink(url, me, d.documentId, { maxDownloads: 1 });
    clock.set(t0 + 1000);
    const short = await newLink(url, me, d.documentId, { expiresAt: new Date(t0 + 60_000).toISOString() });
    clock.set(t0 + 2000);
    const proof = fakeProof();
    const locked = await newLink(url, me, d.documentId, { password: { proof, kdf: LINK_KDF }, audience: { mode: 'users', users: ['viewer'] } });

    clock.set(t0 + 3000);
    expect((await openLink(url, { token: plain.token })).status).toBe(200);
    for (let i = 0; i < 10; i++) await openLink(url, { token: locked.token, proof: fakeProof() });
    clock.set(t0 + 61_000);

    const res = await api(url, 'GET', `/nodes/${d.documentId}/links`, { token: me.accessToken });
    expect(res.status).toBe(200);
    expect(res.body.cursor).toBeUndefined();
    expect(res.body.links.map((l: { linkId: string }) => l.linkId)).toEqual([plain.linkId, short.linkId, locked.linkId]);
    const [a, b, c] = res.body.links;
    expect(a).toMatchObject({ downloads: 1, accessCount: 1, maxDownloads: 1, lastAccessAt: new Date(t0 + 3000).toISOString(), state: 'exhausted' });
    expect(b).toMatchObject({ downloads: 0, accessCount: 0, state: 'expired' });
    expect(b.lastAccessAt).toBeUndefined();
    expect(c).toMatchObject({
      passwordProtected: true,
      audience: { mode: 'users', users: ['viewer'] },
      lockedUntil: new Date(t0 + 3000 + 15 * 60_000).toISOString(),
      state: 'locked',
    });
    const body = JSON.stringify(res.body);
    for (const secret of [plain.token, short.token, locked.token, proof]) expect(body).not.toContain(secret);
    expect(body).not.toContain('verifier');
    expect(Object.keys(c).sort()).toEqual(
      ['access', 'accessCount', 'audience', 'createdAt', 'createdBy', 'downloads', 'expiresAt', 'linkId', 'lockedUntil', 'nodeId', 'nodeKind', 'passwordProtected', 'state'].sort(),
    );
  });

  it('pages with a cursor that only works for the same node, and needs share (guests, viewers, strangers refused)', async () => {
    const d = await upload(url, alice, text('paged'), 'paged.txt');
    const made: string[] = [];
    for (let i = 0; i < 5; i++) made.push((await newLink(url, alice, d.documentId)).linkId);
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const res = await api(url, 'GET', `/nodes/${d.documentId}/links?limit=2${cursor ? `&cursor=${cursor}` : ''}`, { token: alice.accessToken });
      expect(res.status).toBe(200);
      expect(res.body.links.length).toBeLessThanOrEqual(2);
      seen.push(...res.body.links.map((l: { linkId: string }) => l.linkId));
      cursor = res.body.cursor;
      pages++;
    } while (cursor && pages < 10);
    expect(seen).toEqual(made);

    const first = await api(url, 'GET', `/nodes/${d.documentId}/links?limit=2`, { token: alice.accessToken });
    const elsewhere = await api(url, 'GET', `/nodes/${doc.documentId}/links?limit=2&cursor=${first.body.cursor}`, { token: alice.accessToken });
    expect([elsewhere.status, elsewhere.body.error.code]).toEqual([400, 'VALIDATION_FAILED']);
    const junk = await api(url, 'GET', `/nodes/${d.documentId}/links?cursor=abc`, { token: alice.accessToken });
    expect(junk.status).toBe(400);
    for (const [who, expected] of [
      [guest, [403, 'GUEST_FORBIDDEN']],
      [viewer, [403, 'CANNOT_SHARE']],
      [stranger, [404, 'NODE_NOT_FOUND']],
    ] as const) {
      const res = await api(url, 'GET', `/nodes/${doc.documentId}/links`, { token: who.accessToken });
      expect([res.status, res.body.error.code], who.userId).toEqual(expected);
    }
  });
});

describe('revokeLink', () => {
  it('lets the creator revoke; the link then answers LINK_NOT_FOUND and a second revoke 404', async () => {
    const { token, linkId } = await newLink(url, editor, doc.documentId);
    const res = await api(url, 'DELETE', `/links/${linkId}`, { token: editor.accessToken });
    expect([res.status, res.body]).toEqual([200, { linkId, revoked: true }]);
    expect(await linkItem(linkId)).toBeUndefined();
    const opened = await openLink(url, { token });
    expect([opened.status, opened.body.error.code]).toEqual([404, 'LINK_NOT_FOUND']);
    const again = await api(url, 'DELETE', `/links/${linkId}`, { token: editor.accessToken });
    expect([again.status, again.body.error.code]).toEqual([404, 'LINK_NOT_FOUND']);
  });

  it("lets a manager revoke anyone's link, refuses another editor's link (403) and hides links from strangers (404)", async () => {
    const byEditor = await newLink(url, editor, doc.documentId);
    const refused = await api(url, 'DELETE', `/links/${byEditor.linkId}`, { token: editor2.accessToken });
    expect([refused.status, refused.body.error.code]).toEqual([403, 'CANNOT_MANAGE']);
    const asViewer = await api(url, 'DELETE', `/links/${byEditor.linkId}`, { token: viewer.accessToken });
    expect([asViewer.status, asViewer.body.error.code]).toEqual([403, 'CANNOT_MANAGE']);
    const asGuest = await api(url, 'DELETE', `/links/${byEditor.linkId}`, { token: guest.accessToken });
    expect([asGuest.status, asGuest.body.error.code]).toEqual([403, 'GUEST_FORBIDDEN']);
    // BOLA: a stranger who learned a link id gets the same answer as for an id that never existed.
    const asStranger = await api(url, 'DELETE', `/links/${byEditor.linkId}`, { token: stranger.accessToken });
    expect([asStranger.status, asStranger.body.error.code]).toEqual([404, 'LINK_NOT_FOUND']);
    const unknown = await api(url, 'DELETE', `/links/${'0'.repeat(32)}`, { token: stranger.accessToken });
    expect([unknown.status, unknown.body.error.code]).toEqual([404, 'LINK_NOT_FOUND']);
    const malformed = await api(url, 'DELETE', `/links/-${'a'.repeat(31)}`, { token: alice.accessToken });
    expect(malformed.status).toBe(400);
    expect(await linkItem(byEditor.linkId)).toBeDefined();

    const byManager = await api(url, 'DELETE', `/links/${byEditor.linkId}`, { token: manager.accessToken });
    expect(byManager.status).toBe(200);
    expect(await linkItem(byEditor.linkId)).toBeUndefined();
  });

  it('refuses the creator once they can no longer share the node', async () => {
    const d = await upload(url, alice, text('demoted'), 'demoted.txt');
    const shared = await api(url, 'POST', `/nodes/${d.documentId}/share`, { token: alice.accessToken, body: { keyGeneration: 1, grants: [await shareGrant(editor2, d.documentId, d.dek, 'editor')] } });
    expect(shared.status).toBe(200);
    const { linkId } = await newLink(url, editor2, d.documentId);
    expect((await api(url, 'PUT', `/nodes/${d.documentId}/grants/u:editor2`, { token: alice.accessToken, body: { role: 'viewer' } })).status).toBe(200);
    const res = await api(url, 'DELETE', `/links/${linkId}`, { token: editor2.accessToken });
    expect([res.status, res.body.error.code]).toEqual([403, 'CANNOT_MANAGE']);
  });
});

describe('audit', () => {
  it('records link.create, link.open (success and failure) and link.revoke with ids only, never a token or proof', async () => {
    const proof = fakeProof();
    const wrong = fakeProof();
    const { token, linkId } = await newLink(url, alice, doc.documentId, { password: { proof, kdf: LINK_KDF } });
    expect((await openLink(url, { token, proof })).status).toBe(200);
    expect((await openLink(url, { token, proof: wrong })).status).toBe(401);
    expect((await openLink(url, { token }, viewer)).status).toBe(401);
    expect((await api(url, 'DELETE', `/links/${linkId}`, { token: alice.accessToken })).status).toBe(200);
    const unknownToken = fakeProof();
    expect((await openLink(url, { token: unknownToken })).status).toBe(404);

    const events = await linkEvents(stack, linkId);
    expect(events.map((e) => [e.operation, e.status, e.errorCode, e.actorKind, e.actorId])).toEqual([
      ['link.create', 201, undefined, 'user', 'alice'],
      // Someone not signed in acts through the link: the link is the actor.
      ['link.open', 200, undefined, 'link', linkId],
      ['link.open', 401, 'LINK_PASSWORD_WRONG', 'link', linkId],
      ['link.open', 401, 'LINK_PASSWORD_REQUIRED', 'user', 'viewer'],
      ['link.revoke', 200, undefined, 'user', 'alice'],
    ]);
    for (const e of events) expect(e.targets).toEqual({ linkId, nodeId: doc.documentId });
    const all = JSON.stringify(await auditItems(stack));
    for (const secret of [token, proof, wrong, unknownToken]) expect(all).not.toContain(secret);
    const unknownEvents = (await auditItems(stack)).filter((e) => e.operation === 'link.open' && e.errorCode === 'LINK_NOT_FOUND');
    expect(unknownEvents.some((e) => Object.keys(e.targets as object).join() === 'linkId')).toBe(true);
  });
});

describe('deleting a node', () => {
  it("deletes a document's links with it; a folder delete deletes the links of everything in it", async () => {
    const d = await upload(url, alice, text('short-lived'), 'short.txt');
    const one = await newLink(url, alice, d.documentId);
    const two = await newLink(url, alice, d.documentId);
    expect((await api(url, 'DELETE', `/documents/${d.documentId}`, { token: alice.accessToken })).status).toBe(204);
    for (const l of [one, two]) {
      expect(await linkItem(l.linkId)).toBeUndefined();
      expect((await openLink(url, { token: l.token })).body.error.code).toBe('LINK_NOT_FOUND');
    }

    const root = await mkdir(url, alice, 'root');
    const sub = await mkdir(url, alice, 'sub', root);
    const inside = await uploadInto(url, alice, sub, text('deep'), 'deep.txt');
    const links = [await newLink(url, alice, root.folderId), await newLink(url, alice, sub.folderId), await newLink(url, alice, inside.documentId)];
    expect((await api(url, 'DELETE', `/folders/${root.folderId}`, { token: alice.accessToken })).status).toBe(200);
    for (const l of links) expect(await linkItem(l.linkId)).toBeUndefined();
  });
});

/** A fresh access token at the handlers' current (possibly frozen) instant. */
async function relogin(actor: Actor): Promise<Actor> {
  const res = await api(url, 'POST', '/auth/token', { body: { userId: actor.userId, authKey: actor.authKey } });
  expect(res.status).toBe(200);
  return { ...actor, accessToken: res.body.accessToken };
}

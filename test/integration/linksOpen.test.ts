import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { unwrapKeyUnderKey } from '../../shared/core/crypto/index.js';
import { keys } from '../../shared/server/data/keys.js';
import { type Actor, register, upload, type UploadedDocument } from '../helpers/actors.js';
import { childLabel, type FolderHandle, mkdir, uploadInto, type DocumentHandle } from '../helpers/folders.js';
import { api } from '../helpers/http.js';
import { fakeProof, LINK_KDF, linkEvents, movableClock, newLink, openLink, setNodeAttributes } from '../helpers/links.js';
import { type LocalStack, startLocalStack } from '../helpers/localStack.js';

/** Share links, the opening side (docs/links.md, "openLink"): the checks in order and at every boundary. */
const clock = movableClock();
let stack: LocalStack;
let url: string;
let alice: Actor, bob: Actor, carol: Actor, guest: Actor, stranger: Actor;
let doc: UploadedDocument;
const text = (s: string) => new TextEncoder().encode(s);
const MINUTE = 60_000;

beforeAll(async () => {
  stack = await startLocalStack({ clock: clock.now });
  url = stack.url;
  [alice, bob, carol, stranger] = await Promise.all(['alice', 'bob', 'carol', 'stranger'].map((u) => register(url, u))) as [Actor, Actor, Actor, Actor];
  const invitation = await api(url, 'POST', '/invitations', { token: alice.accessToken, body: {} });
  guest = await register(url, 'guest', undefined, { invitationCode: invitation.body.invitationCode });
  doc = await upload(url, alice, text('the linked document'), 'doc.txt');
});
afterAll(() => stack?.stop());
afterEach(() => clock.reset());

const code = (res: { status: number; body: any }) => [res.status, res.body?.error?.code];

async function linkItem(linkId: string) {
  return (await stack.deps.db.doc.send(new GetCommand({ TableName: stack.table, Key: keys.link(linkId), ConsistentRead: true }))).Item!;
}

/** A fresh access token at the handlers' current (possibly frozen) instant. */
async function relogin(actor: Actor): Promise<Actor> {
  const res = await api(url, 'POST', '/auth/token', { body: { userId: actor.userId, authKey: actor.authKey } });
  expect(res.status).toBe(200);
  return { ...actor, accessToken: res.body.accessToken };
}

describe('the token', () => {
  it('is shape-checked before anything else: 400 for a wrong length or a non-canonical spelling', async () => {
    const { token } = await newLink(url, alice, doc.documentId);
    expect(code(await openLink(url, { token: token.slice(0, 42) }))).toEqual([400, 'VALIDATION_FAILED']);
    expect(code(await openLink(url, { token: `${token}A` }))).toEqual([400, 'VALIDATION_FAILED']);
    // 43 characters carry 258 bits: the last character's low 2 bits must be zero.
    const last = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'.indexOf(token.at(-1)!);
    const nonCanonical = token.slice(0, 42) + 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'[last ^ 1];
    expect(code(await openLink(url, { token: nonCanonical }))).toEqual([400, 'VALIDATION_FAILED']);
    expect(code(await openLink(url, { token: fakeProof() }))).toEqual([404, 'LINK_NOT_FOUND']);
    expect(code(await openLink(url, { token, extra: 1 }))).toEqual([400, 'VALIDATION_FAILED']);
  });
});

describe('a document link', () => {
  it('answers the node, the key path from the link wrap and a presigned GET of the exact object (TTL <= 60 s)', async () => {
    const { token, linkId, link } = await newLink(url, alice, doc.documentId, { access: 'view' });
    const item = await linkItem(linkId);
    const res = await openLink(url, { token });
    expect(res.status).toBe(200);
    expect(res.body.link).toEqual({ linkId, nodeId: doc.documentId, nodeKind: 'document', access: 'view', expiresAt: link.expiresAt });
    expect(res.body.node).toEqual({
      nodeId: doc.documentId,
      kind: 'document',
      encryptedName: expect.any(String),
      keyGeneration: 1,
      size: doc.ciphertext.length,
      version: 1,
      versionKeyGeneration: 1,
      createdAt: expect.any(String),
    });
    expect(res.body.keyPath).toEqual({
      entry: { nodeId: doc.documentId, principalId: 'link', wrappedKey: item.wrappedKey, keyGeneration: 1 },
      steps: [],
      chains: {},
    });
    expect(res.body.keyChain).toEqual({}); // the current version is under the current key
    expect(res.body.children).toBeUndefined();
    const download = new URL(res.body.download.url);
    expect(Number(download.searchParams.get('X-Amz-Expires'))).toBeLessThanOrEqual(60);
    expect(Date.parse(res.body.download.expiresAt) - Date.now()).toBeLessThanOrEqual(61_000);
    const fetched = await fetch(res.body.download.url);
    expect(fetched.status).toBe(200);
    expect(new Uint8Array(await fetched.arrayBuffer())).toEqual(doc.ciphertext);
    const after = await linkItem(linkId);
    expect([after.downloads, after.accessCount, typeof after.lastAccessAt]).toEqual([1, 1, 'string']);
  });

  it('opens until one second before its expiry, and answers LINK_EXPIRED at and after it', async () => {
    const t0 = Date.parse('2033-05-01T12:00:00.000Z');
    clock.set(t0);
    const expiresAt = t0 + 60 * MINUTE;
    const { token, linkId } = await newLink(url, await relogin(alice), doc.documentId, { expiresAt: new Date(expiresAt).toISOString() });
    clock.set(expiresAt - 1000);
    expect((await openLink(url, { token })).status).toBe(200);
    clock.set(expiresAt);
    expect(code(await openLink(url, { token }))).toEqual([410, 'LINK_EXPIRED']);
    clock.set(expiresAt + 1000);
    expect(code(await openLink(url, { token }))).toEqual([410, 'LINK_EXPIRED']);
    expect((await linkItem(linkId)).accessCount).toBe(1);
  });

  it('gives exactly maxDownloads successful opens, then LINK_EXHAUSTED, counting down downloadsLeft', async () => {
    const { token, linkId } = await newLink(url, alice, doc.documentId, { maxDownloads: 3 });
    const left: number[] = [];
    for (let i = 0; i < 3; i++) {
      const res = await openLink(url, { token });
      expect(res.status).toBe(200);
      left.push(res.body.link.downloadsLeft);
    }
    expect(left).toEqual([2, 1, 0]);
    expect(code(await openLink(url, { token }))).toEqual([410, 'LINK_EXHAUSTED']);
    expect(code(await openLink(url, { token }))).toEqual([410, 'LINK_EXHAUSTED']);
    const item = await linkItem(linkId);
    expect([item.downloads, item.accessCount]).toEqual([3, 3]);
  });

  it('checks in order: expiry before the download limit, the limit before the password, the password before sign-in, sign-in before the node', async () => {
    const t0 = Date.parse('2033-06-01T00:00:00.000Z');
    clock.set(t0);
    const me = await relogin(alice);
    const proof = fakeProof();
    const everything = await newLink(url, me, doc.documentId, {
      expiresAt: new Date(t0 + MINUTE).toISOString(),
      maxDownloads: 1,
      password: { proof, kdf: LINK_KDF },
      audience: { mode: 'users', users: ['bob'] },
    });
    // Anonymous, no proof: every later check would fail too.
    expect(code(await openLink(url, { token: everything.token }))).toEqual([401, 'LINK_PASSWORD_REQUIRED']);
    expect(code(await openLink(url, { token: everything.token, proof }))).toEqual([401, 'LINK_SIGN_IN_REQUIRED']);
    expect((await openLink(url, { token: everything.token, proof }, await relogin(bob))).status).toBe(200);
    expect(code(await openLink(url, { token: everything.token }))).toEqual([410, 'LINK_EXHAUSTED']);
    clock.set(t0 + MINUTE);
    expect(code(await openLink(url, { token: everything.token }))).toEqual([410, 'LINK_EXPIRED']);

    clock.reset();
    const d = await upload(url, alice, text('to go stale'), 'stale.txt');
    const signedIn = await newLink(url, alice, d.documentId, { audience: { mode: 'signed-in' } });
    await setNodeAttributes(stack, d.documentId, { keyGeneration: 2 });
    expect(code(await openLink(url, { token: signedIn.token }))).toEqual([401, 'LINK_SIGN_IN_REQUIRED']);
    expect(code(await openLink(url, { token: signedIn.token }, carol))).toEqual([410, 'LINK_STALE']);
  });

  it('answers LINK_NOT_FOUND once revoked, and for a node being deleted or gone', async () => {
    const d = await upload(url, alice, text('soon gone'), 'gone.txt');
    const revoked = await newLink(url, alice, d.documentId);
    expect((await api(url, 'DELETE', `/links/${revoked.linkId}`, { token: alice.accessToken })).status).toBe(200);
    expect(code(await openLink(url, { token: revoked.token }))).toEqual([404, 'LINK_NOT_FOUND']);

    const live = await newLink(url, alice, d.documentId);
    await setNodeAttributes(stack, d.documentId, { state: 'deleting' });
    expect(code(await openLink(url, { token: live.token }))).toEqual([404, 'LINK_NOT_FOUND']);
    await setNodeAttributes(stack, d.documentId, { state: 'active' });
    expect((await openLink(url, { token: live.token })).status).toBe(200);
    expect((await api(url, 'DELETE', `/documents/${d.documentId}`, { token: alice.accessToken })).status).toBe(204);
    expect(code(await openLink(url, { token: live.token }))).toEqual([404, 'LINK_NOT_FOUND']);
  });

  it('refuses a nodeId other than its own document, and a cursor', async () => {
    const other = await upload(url, alice, text('other'), 'other.txt');
    const { token } = await newLink(url, alice, doc.documentId);
    expect(code(await openLink(url, { token, nodeId: other.documentId }))).toEqual([404, 'LINK_NOT_FOUND']);
    expect(code(await openLink(url, { token, cursor: 'abc' }))).toEqual([400, 'VALIDATION_FAILED']);
    expect((await openLink(url, { token, nodeId: doc.documentId })).status).toBe(200);
  });
});

describe('a password', () => {
  it('is asked for (with the KDF cost, not an attempt), refused when wrong and accepted when right', async () => {
    const proof = fakeProof();
    const { token, linkId } = await newLink(url, alice, doc.documentId, { password: { proof, kdf: LINK_KDF } });
    const required = await openLink(url, { token });
    expect(code(required)).toEqual([401, 'LINK_PASSWORD_REQUIRED']);
    expect(required.body.error.details).toEqual({ kdf: LINK_KDF });
    expect((await linkItem(linkId)).failedAttempts).toBe(0);
    expect(code(await openLink(url, { token, proof: fakeProof() }))).toEqual([401, 'LINK_PASSWORD_WRONG']);
    expect((await linkItem(linkId)).failedAttempts).toBe(1);
    expect((await openLink(url, { token, proof })).status).toBe(200);
    expect((await linkItem(linkId)).failedAttempts).toBe(0);
    expect(code(await openLink(url, { token, proof: 'x'.repeat(42) }))).toEqual([400, 'VALIDATION_FAILED']);
  });

  it('locks after 10 wrong proofs (the 10th answers LINK_LOCKED), refuses the right one while locked, and unlocks after 15 minutes', async () => {
    const t0 = Date.parse('2033-07-01T00:00:00.000Z');
    clock.set(t0);
    const proof = fakeProof();
    const { token, linkId } = await newLink(url, await relogin(alice), doc.documentId, { password: { proof, kdf: LINK_KDF } });
    for (let i = 1; i <= 9; i++) expect(code(await openLink(url, { token, proof: fakeProof() })), `attempt ${i}`).toEqual([401, 'LINK_PASSWORD_WRONG']);
    const tenth = await openLink(url, { token, proof: fakeProof() });
    const lockedUntil = new Date(t0 + 15 * MINUTE).toISOString();
    expect(code(tenth)).toEqual([429, 'LINK_LOCKED']);
    expect(tenth.body.error.details).toEqual({ lockedUntil });
    expect(await linkItem(linkId)).toMatchObject({ failedAttempts: 0, lockedUntil });

    const locked = await openLink(url, { token, proof });
    expect(code(locked)).toEqual([429, 'LINK_LOCKED']);
    expect(code(await openLink(url, { token }))).toEqual([429, 'LINK_LOCKED']);
    expect(code(await openLink(url, { token, proof: fakeProof() }))).toEqual([429, 'LINK_LOCKED']);
    clock.set(t0 + 15 * MINUTE - 1000);
    expect(code(await openLink(url, { token, proof }))).toEqual([429, 'LINK_LOCKED']);
    expect((await linkItem(linkId)).failedAttempts).toBe(0);

    clock.set(t0 + 15 * MINUTE);
    expect((await openLink(url, { token, proof })).status).toBe(200);
    // Attempts start again from 0: nine more wrong ones do not lock.
    for (let i = 1; i <= 9; i++) expect(code(await openLink(url, { token, proof: fakeProof() }))).toEqual([401, 'LINK_PASSWORD_WRONG']);
    expect((await openLink(url, { token, proof })).status).toBe(200);

    const events = await linkEvents(stack, linkId);
    const locks = events.filter((e) => e.operation === 'link.lock');
    expect(locks).toHaveLength(1);
    expect(locks[0]).toMatchObject({ status: 429, errorCode: 'LINK_LOCKED', details: { lockedUntil }, targets: { linkId, nodeId: doc.documentId }, actorKind: 'link', actorId: linkId });
    const opens = events.filter((e) => e.operation === 'link.open');
    expect(opens.filter((e) => e.errorCode === 'LINK_PASSWORD_WRONG')).toHaveLength(18);
    expect(opens.filter((e) => e.errorCode === 'LINK_LOCKED')).toHaveLength(5);
    expect(opens.filter((e) => e.status === 200)).toHaveLength(2);
    expect(JSON.stringify(events)).not.toContain(proof);
  });

  it('locks once when many wrong proofs race', async () => {
    const proof = fakeProof();
    const { token, linkId } = await newLink(url, alice, doc.documentId, { password: { proof, kdf: LINK_KDF } });
    const results = await Promise.all(Array.from({ length: 25 }, () => openLink(url, { token, proof: fakeProof() })));
    const codes = results.map((r) => r.body.error.code);
    expect(codes.filter((c) => c === 'LINK_PASSWORD_WRONG').length).toBeLessThanOrEqual(9);
    expect(codes.filter((c) => c === 'LINK_LOCKED').length).toBeGreaterThanOrEqual(16);
    expect(codes.every((c) => c === 'LINK_PASSWORD_WRONG' || c === 'LINK_LOCKED')).toBe(true);
    expect((await linkEvents(stack, linkId)).filter((e) => e.operation === 'link.lock')).toHaveLength(1);
    expect(code(await openLink(url, { token, proof }))).toEqual([429, 'LINK_LOCKED']);
  });
});

describe('audiences', () => {
  type Caller = 'anonymous' | 'stranger' | 'guest' | 'listed' | 'unlisted';
  const callers: Caller[] = ['anonymous', 'stranger', 'guest', 'listed', 'unlisted'];
  const who = (c: Caller): Actor | undefined => ({ anonymous: undefined, stranger, guest, listed: bob, unlisted: carol })[c];
  const OK = [200, undefined];
  const SIGN_IN = [401, 'LINK_SIGN_IN_REQUIRED'];
  const EXPECTED: Record<string, Record<Caller, unknown[]>> = {
    anyone: { anonymous: OK, stranger: OK, guest: OK, listed: OK, unlisted: OK },
    'signed-in': { anonymous: SIGN_IN, stranger: OK, guest: OK, listed: OK, unlisted: OK },
    members: { anonymous: SIGN_IN, stranger: OK, guest: [403, 'LINK_MEMBERS_ONLY'], listed: OK, unlisted: OK },
    users: {
      anonymous: SIGN_IN,
      stranger: [403, 'LINK_USER_NOT_ALLOWED'],
      guest: [403, 'LINK_USER_NOT_ALLOWED'],
      listed: OK,
      unlisted: [403, 'LINK_USER_NOT_ALLOWED'],
    },
  };

  for (const mode of Object.keys(EXPECTED)) {
    it(`lets exactly the right callers open a '${mode}' link`, async () => {
      const audience = mode === 'users' ? { mode, users: ['bob'] } : { mode };
      const { token, linkId } = await newLink(url, alice, doc.documentId, { audience });
      const got: Record<string, unknown[]> = {};
      for (const c of callers) got[c] = code(await openLink(url, { token }, who(c)));
      expect(got).toEqual(EXPECTED[mode]);
      const events = (await linkEvents(stack, linkId)).filter((e) => e.operation === 'link.open');
      expect(events.map((e) => e.actorKind)).toEqual(['link', 'user', 'guest', 'user', 'user']);
    });
  }

  it('answers 401 to a bad bearer token rather than opening anonymously', async () => {
    const { token } = await newLink(url, alice, doc.documentId);
    const res = await api(url, 'POST', '/links/open', { body: { token }, headers: { authorization: 'Bearer a.b.c' } });
    expect(res.status).toBe(401);
    expect(res.body.error.code).not.toMatch(/^LINK_/);
  });
});

describe('a folder link', () => {
  let R: FolderHandle, S: FolderHandle, L: FolderHandle, outside: FolderHandle;
  let D0: DocumentHandle, D1: DocumentHandle, DL: DocumentHandle, X: DocumentHandle;
  let token: string;

  beforeAll(async () => {
    R = await mkdir(url, alice, 'R');
    S = await mkdir(url, alice, 'S', R);
    L = await mkdir(url, alice, 'L', R);
    outside = await mkdir(url, alice, 'outside');
    D0 = await uploadInto(url, alice, R, text('d0 in R'), 'd0.txt');
    D1 = await uploadInto(url, alice, S, text('d1 in S'), 'd1.txt');
    DL = await uploadInto(url, alice, L, text('dl in L'), 'dl.txt');
    X = await uploadInto(url, alice, outside, text('x outside'), 'x.txt');
    // L made limited directly (the full flow is the folders tests'): the link must stop at it.
    await setNodeAttributes(stack, L.folderId, { limited: true });
    ({ token } = await newLink(url, alice, R.folderId, { maxDownloads: 5 }));
  });

  it("lists the folder's children with their parent wraps, leaving the limited one out, and counts no download", async () => {
    const res = await openLink(url, { token });
    expect(res.status).toBe(200);
    expect(res.body.link).toMatchObject({ nodeId: R.folderId, nodeKind: 'folder', downloadsLeft: 5 });
    expect(res.body.node).toMatchObject({ nodeId: R.folderId, kind: 'folder', keyGeneration: 1 });
    expect(res.body.node.parentId).toBeUndefined();
    expect(res.body.keyPath.entry).toMatchObject({ nodeId: R.folderId, principalId: 'link', keyGeneration: 1 });
    expect(res.body.keyPath.steps).toEqual([]);
    expect(res.body.download).toBeUndefined();
    const ids = res.body.children.map((c: { nodeId: string }) => c.nodeId).sort();
    expect(ids).toEqual([S.folderId, D0.documentId].sort());
    const d0 = res.body.children.find((c: { nodeId: string }) => c.nodeId === D0.documentId);
    expect(d0).toMatchObject({ kind: 'document', keyGeneration: 1, parentKeyGeneration: 1, size: D0.ciphertext.length, version: 1 });
    // The parent wrap opens the child's key with the folder's key.
    expect(await unwrapKeyUnderKey(R.key, d0.parentWrap, childLabel(D0.documentId, 1, R.folderId, 1))).toEqual(D0.dek);
    expect(res.body.cursor).toBeUndefined();
  });

  it('opens a descendant document: the steps lead from the link node to it, and the download is its object', async () => {
    const res = await openLink(url, { token, nodeId: D1.documentId });
    expect(res.status).toBe(200);
    expect(res.body.node).toMatchObject({ nodeId: D1.documentId, kind: 'document', parentId: S.folderId });
    const { steps } = res.body.keyPath;
    expect(steps.map((s: { nodeId: string; parentId: string }) => [s.nodeId, s.parentId])).toEqual([
      [S.folderId, R.folderId],
      [D1.documentId, S.folderId],
    ]);
    const sKey = await unwrapKeyUnderKey(R.key, steps[0].wrappedKey, childLabel(S.folderId, 1, R.folderId, 1));
    expect(await unwrapKeyUnderKey(sKey, steps[1].wrappedKey, childLabel(D1.documentId, 1, S.folderId, 1))).toEqual(D1.dek);
    const fetched = await fetch(res.body.download.url);
    expect(new Uint8Array(await fetched.arrayBuffer())).toEqual(D1.ciphertext);
    expect(res.body.link.downloadsLeft).toBeLessThan(5);

    const sub = await openLink(url, { token, nodeId: S.folderId });
    expect(sub.status).toBe(200);
    expect(sub.body.children.map((c: { nodeId: string }) => c.nodeId)).toEqual([D1.documentId]);
  });

  it('refuses a node outside the folder, the limited subfolder and anything under it, and foreign cursors', async () => {
    for (const nodeId of [X.documentId, outside.folderId, L.folderId, DL.documentId]) {
      expect(code(await openLink(url, { token, nodeId })), nodeId).toEqual([404, 'LINK_NOT_FOUND']);
    }
    const listing = await api(url, 'GET', `/folders/${S.folderId}/children?limit=1`, { token: alice.accessToken });
    const foreign = listing.body.cursor ?? Buffer.from(JSON.stringify({ pk: `NODE#${S.folderId}`, sk: `CHILD#${D1.documentId}` })).toString('base64url');
    expect(code(await openLink(url, { token, cursor: foreign }))).toEqual([400, 'VALIDATION_FAILED']);
    expect((await openLink(url, { token, nodeId: S.folderId, cursor: foreign })).status).toBe(200);
  });

  it('goes stale when the folder key changes (a limit), and stops at a subfolder limited after the link was made', async () => {
    const top = await mkdir(url, alice, 'top');
    const mid = await mkdir(url, alice, 'mid', top);
    const inner = await uploadInto(url, alice, mid, text('inner'), 'inner.txt');
    const onTop = await newLink(url, alice, top.folderId);
    const onMid = await newLink(url, alice, mid.folderId);
    expect((await openLink(url, { token: onTop.token, nodeId: inner.documentId })).status).toBe(200);
    // What limiting does to the folder's META: a new key generation, no inheritance.
    await setNodeAttributes(stack, mid.folderId, { limited: true, keyGeneration: 2 });
    expect(code(await openLink(url, { token: onTop.token, nodeId: inner.documentId }))).toEqual([404, 'LINK_NOT_FOUND']);
    expect(code(await openLink(url, { token: onTop.token, nodeId: mid.folderId }))).toEqual([404, 'LINK_NOT_FOUND']);
    expect(code(await openLink(url, { token: onMid.token }))).toEqual([410, 'LINK_STALE']);
    // the listing says what an open answers: the same rule (linkIsStale) decides both
    const states = async (nodeId: string) =>
      (await api(url, 'GET', `/nodes/${nodeId}/links`, { token: alice.accessToken })).body.links.map((l: { state: string }) => l.state);
    expect(await states(mid.folderId)).toEqual(['stale']);
    expect(await states(top.folderId)).toEqual(['active']);
  });
});

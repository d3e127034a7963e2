import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { backoffMs, retryConcurrentUpdates } from '../../../client/sdk/retry.js';
import {
  decryptMetadata,
  fromBase64Url,
  generateGroupKeyPair,
  generateGroupSecret,
  generateUserKeyPair,
  importPrivateKey,
  importPublicKey,
  sealGroupPrivateKey,
  toBase64Url,
  unwrapKey,
  wrapKey,
} from '../../../shared/core/crypto/index.js';
import { bytes, caught, readAll, registered, sameBytes, type TestUser } from './support/clients.js';
import { error, FakeCoffer, json } from './support/FakeCoffer.js';
import { createRawFolder, uploadIntoFolder } from './support/rawTree.js';

const DAY = 86_400_000;

function newGroupId(): string {
  return toBase64Url(crypto.getRandomValues(new Uint8Array(16)));
}

describe('sharing through the SDK (fake server)', () => {
  const server = new FakeCoffer();
  let alice: TestUser;
  let bob: TestUser;
  let carol: TestUser;
  let dave: TestUser;

  beforeAll(async () => {
    [alice, bob, carol, dave] = (await Promise.all(['alice', 'bob', 'carol', 'dave'].map((id) => registered(server, id)))) as [
      TestUser,
      TestUser,
      TestUser,
      TestUser,
    ];
  });

  beforeEach(() => {
    server.clearInterceptors();
    server.calls.length = 0;
  });

  const shares = (nodeId: string) => server.callsTo('POST', `/nodes/${nodeId}/share`);

  describe('share', () => {
    it('grants a level with an expiry, the node key wrapped for the principal id u:<userId>', async () => {
      // Prepare
      const data = bytes(3000, 7);
      const { documentId } = await alice.client.upload(data, { name: 'levels.txt' });
      const expiresAt = new Date(Date.now() + 7 * DAY);
      // Act
      const result = await alice.client.share(documentId, { userIds: ['carol'] }, { role: 'commenter', expiresAt });
      // Assess
      expect(result).toEqual({ nodeId: documentId, sharedWith: ['u:carol'], alreadyShared: [] });
      const body = shares(documentId)[0]!.body as { keyGeneration: number; grants: Record<string, unknown>[] };
      expect(body.keyGeneration).toBe(1);
      expect(body.grants).toEqual([
        {
          principalId: 'u:carol',
          wrappedKey: expect.any(String),
          fingerprint: server.users.get('carol')!.profile.fingerprint,
          role: 'commenter',
          expiresAt: expiresAt.toISOString(),
        },
      ]);
      const down = await carol.client.download(documentId);
      expect(sameBytes(await readAll(down.stream), data)).toBe(true);
      expect((await alice.client.permissions(documentId)).entries).toContainEqual({
        principalId: 'u:carol',
        principalKind: 'user',
        role: 'commenter',
        source: 'direct',
        expiresAt: expiresAt.toISOString(),
      });
    });

    it('is idempotent: principals with a direct grant are skipped, and nothing is sent when none is left', async () => {
      const { documentId } = await alice.client.upload(bytes(10), { name: 'again.txt', shareWith: ['bob'] });
      server.calls.length = 0;
      const result = await alice.client.share(documentId, { userIds: ['bob', 'u:alice'] });
      expect(result).toEqual({ nodeId: documentId, sharedWith: [], alreadyShared: ['u:bob'] });
      expect(shares(documentId)).toHaveLength(0);
      expect(server.callsTo('GET', '/users')).toHaveLength(0); // no key looked up for a principal that is skipped
    });

    it('sends at most 50 principals per request', async () => {
      // Prepare: 55 server-side users (one key pair is enough for the fake)
      const pair = await generateUserKeyPair();
      const spki = toBase64Url(pair.publicKeySpki);
      const many = Array.from({ length: 55 }, (_, i) => `reader${String(i).padStart(2, '0')}`);
      for (const id of many) await server.addUser(id, spki);
      const { documentId } = await alice.client.upload(bytes(10), { name: 'many.txt' });
      // Act
      const result = await alice.client.share(documentId, { userIds: many });
      // Assess
      expect(shares(documentId).map((c) => (c.body as { grants: unknown[] }).grants.length)).toEqual([50, 5]);
      expect(result.sharedWith).toEqual(many.map((id) => `u:${id}`));
    });

    it('resends a batch refused with CONCURRENT_UPDATE', async () => {
      const { documentId } = await alice.client.upload(bytes(10), { name: 'race.txt' });
      let refusals = 2;
      server.intercept((call) =>
        call.method === 'POST' && call.path.endsWith('/share') && refusals-- > 0
          ? error(409, 'CONCURRENT_UPDATE', 'The node changed: retry.')
          : undefined,
      );
      const result = await alice.client.share(documentId, { userIds: ['bob'] });
      expect(result.sharedWith).toEqual(['u:bob']);
      expect(shares(documentId)).toHaveLength(3);
    });

    it('gives up after 5 retries of CONCURRENT_UPDATE, with the server error', async () => {
      const { documentId } = await alice.client.upload(bytes(10), { name: 'busy.txt' });
      server.intercept((call) => (call.method === 'POST' && call.path.endsWith('/share') ? error(409, 'CONCURRENT_UPDATE', 'Busy.') : undefined));
      const failure = await caught(alice.client.share(documentId, { userIds: ['bob'] }));
      expect(failure).toMatchObject({ status: 409, code: 'CONCURRENT_UPDATE' });
      expect(shares(documentId)).toHaveLength(6);
    });

    it('resends a batch without the principals the server reports as ALREADY_SHARED', async () => {
      const { documentId } = await alice.client.upload(bytes(10), { name: 'hidden.txt', shareWith: ['bob'] });
      // The permission list shows effective levels: a direct grant can hide under a higher inherited one.
      server.intercept((call) =>
        call.method === 'GET' && call.path.endsWith('/permissions')
          ? json(200, { nodeId: documentId, ownerId: 'alice', limited: false, entries: [] })
          : undefined,
      );
      const result = await alice.client.share(documentId, { userIds: ['bob', 'carol'] });
      expect(result).toEqual({ nodeId: documentId, sharedWith: ['u:carol'], alreadyShared: ['u:bob'] });
      expect(shares(documentId).map((c) => (c.body as { grants: { principalId: string }[] }).grants.map((g) => g.principalId))).toEqual([
        ['u:bob', 'u:carol'],
        ['u:carol'],
      ]);
    });

    it('opens the node key again when the server says it changed (KEY_CHANGED), then shares', async () => {
      const { documentId } = await alice.client.upload(bytes(10), { name: 'rekey.txt' });
      let once = true;
      server.intercept((call) => {
        if (call.method !== 'POST' || !call.path.endsWith('/share') || !once) return undefined;
        once = false;
        return error(409, 'KEY_CHANGED', 'The key changed: fetch it again and re-wrap.');
      });
      const result = await alice.client.share(documentId, { userIds: ['bob'] });
      expect(result.sharedWith).toEqual(['u:bob']);
      expect(server.calls.filter((c) => c.method === 'GET' && c.path === `/nodes/${documentId}`)).toHaveLength(2);
    });

    it('refuses bad input before anything is sent', async () => {
      const { documentId } = await alice.client.upload(bytes(10), { name: 'input.txt' });
      server.calls.length = 0;
      expect(await caught(alice.client.share(documentId, { userIds: ['bob'] }, { expiresAt: new Date('nope') }))).toMatchObject({
        code: 'VALIDATION_FAILED',
        message: 'expiresAt must be a valid date.',
      });
      expect(await caught(alice.client.share(documentId, { userIds: ['zed'] }))).toMatchObject({ code: 'UNKNOWN_USERS', userIds: ['zed'] });
      expect(shares(documentId)).toHaveLength(0);
    });
  });

  describe('groups', () => {
    it('wraps the key once for g:<groupId> and pins the group key TOFU under that id', async () => {
      // Prepare
      const groupId = newGroupId();
      const pair = await generateGroupKeyPair();
      const group = await server.addGroup(groupId, toBase64Url(pair.publicKeySpki), ['bob']);
      const { documentId } = await alice.client.upload(bytes(10), { name: 'team.txt' });
      // Act
      const result = await alice.client.share(documentId, { groupIds: [groupId] }, { role: 'editor' });
      // Assess
      expect(result.sharedWith).toEqual([`g:${groupId}`]);
      const grant = (shares(documentId)[0]!.body as { grants: { principalId: string; wrappedKey: string; fingerprint: string; role: string }[] }).grants[0]!;
      expect(grant).toMatchObject({ principalId: `g:${groupId}`, fingerprint: group.fingerprint, role: 'editor' });
      const privateKey = await importPrivateKey(pair.privateKeyPkcs8);
      const key = await unwrapKey(privateKey, fromBase64Url(grant.wrappedKey), {
        kind: 'dek',
        resourceId: documentId,
        generation: 1,
        recipientId: `g:${groupId}`,
      });
      expect(await decryptMetadata(key, documentId, 'name', server.docs.get(documentId)!.encryptedName)).toBe('team.txt');
      expect(await alice.pins.get(`g:${groupId}`)).toBe(group.fingerprint);
      expect(server.docs.get(documentId)!.grants.get(`g:${groupId}`)).toMatchObject({ role: 'editor', principalKeyGeneration: 1 });
    });

    it("refuses a group whose key changed since it was pinned, naming the override; accepts it once verified", async () => {
      // Prepare
      const groupId = newGroupId();
      const first = await generateGroupKeyPair();
      await server.addGroup(groupId, toBase64Url(first.publicKeySpki), []);
      const a = await alice.client.upload(bytes(10), { name: 'g1.txt' });
      await alice.client.share(a.documentId, { groupIds: [`g:${groupId}`] });
      const pinned = await alice.pins.get(`g:${groupId}`);
      const second = await generateGroupKeyPair();
      await server.rotateGroup(groupId, toBase64Url(second.publicKeySpki));
      const b = await alice.client.upload(bytes(10), { name: 'g2.txt' });
      // Act
      const refused = await caught(alice.client.share(b.documentId, { groupIds: [groupId] }));
      const accepted = await alice.client.share(b.documentId, { groupIds: [groupId] }, { acceptNewKeyFor: [`g:${groupId}`] });
      // Assess
      expect(refused).toMatchObject({ code: 'KEY_CHANGED', userId: `g:${groupId}`, pinnedFingerprint: pinned });
      expect(refused.message).toContain(`The public key of group g:${groupId} has changed.`);
      expect(refused.message).toContain("This happens when a member was removed (the group's key rotates)");
      expect(refused.message).toContain(`\`--accept-new-key g:${groupId}\``);
      expect(accepted.sharedWith).toEqual([`g:${groupId}`]);
      expect(await alice.pins.get(`g:${groupId}`)).toBe(server.groups.get(groupId)!.fingerprint);
      expect(server.docs.get(b.documentId)!.grants.get(`g:${groupId}`)!.principalKeyGeneration).toBe(2);
    });

    it('trustNewKey re-pins a group key', async () => {
      const groupId = newGroupId();
      await server.addGroup(groupId, toBase64Url((await generateGroupKeyPair()).publicKeySpki), []);
      const { documentId } = await alice.client.upload(bytes(10), { name: 'g3.txt' });
      await alice.client.share(documentId, { groupIds: [groupId] });
      const before = await alice.pins.get(`g:${groupId}`);
      await server.rotateGroup(groupId, toBase64Url((await generateGroupKeyPair()).publicKeySpki));
      const trusted = await alice.client.trustNewKey(`g:${groupId}`);
      expect(trusted).toEqual({ userId: `g:${groupId}`, fingerprint: server.groups.get(groupId)!.fingerprint, previousFingerprint: before });
    });

    it('a member opens a document shared with the group through the group keyring', async () => {
      // Prepare: a group bob is in, with its private key sealed under a secret wrapped for bob
      const groupId = newGroupId();
      const pair = await generateGroupKeyPair();
      const secret = generateGroupSecret();
      const bobKey = await importPublicKey(fromBase64Url(server.users.get('bob')!.profile.publicKey));
      await server.addGroup(groupId, toBase64Url(pair.publicKeySpki), ['bob'], {
        sealedPrivateKey: await sealGroupPrivateKey(secret, pair.privateKeyPkcs8, { groupId, generation: 1 }),
        wrappedSecrets: {
          bob: toBase64Url(await wrapKey(bobKey, secret, { kind: 'group', resourceId: groupId, generation: 1, recipientId: 'u:bob' })),
        },
      });
      const data = bytes(5000, 3);
      const { documentId } = await alice.client.upload(data, { name: 'via-group.bin' });
      await alice.client.share(documentId, { groupIds: [groupId] });
      // Act
      const down = await bob.client.download(documentId);
      // Assess
      expect(down.name).toBe('via-group.bin');
      expect(sameBytes(await readAll(down.stream), data)).toBe(true);
      const got = server.calls.filter((c) => c.method === 'GET' && c.path === '/groups');
      expect(got.length).toBeGreaterThan(0);
    });

    it('revokes a group and reports principals without a direct grant', async () => {
      const groupId = newGroupId();
      await server.addGroup(groupId, toBase64Url((await generateGroupKeyPair()).publicKeySpki), []);
      const { documentId } = await alice.client.upload(bytes(10), { name: 'rv.txt' });
      await alice.client.share(documentId, { groupIds: [groupId] });
      const result = await alice.client.revoke(documentId, [`g:${groupId}`, 'nobody', 'u:nobody']);
      expect(result).toEqual({ nodeId: documentId, revoked: [`g:${groupId}`], notShared: ['u:nobody'], keyGeneration: 2, staleLinks: 0 });
    });
  });

  describe('levels and settings', () => {
    it('an editor shares up to editor while the owner allows it, and not once the owner turns it off', async () => {
      const { documentId } = await alice.client.upload(bytes(10), { name: 'editor.txt' });
      await alice.client.share(documentId, { userIds: ['dave'] }, { role: 'editor' });
      expect((await dave.client.share(documentId, { userIds: ['carol'] })).sharedWith).toEqual(['u:carol']);
      expect(await caught(dave.client.share(documentId, { userIds: ['bob'] }, { role: 'manager' }))).toMatchObject({ status: 403, code: 'LEVEL_TOO_HIGH' });
      expect(await caught(dave.client.revoke(documentId, ['carol']))).toMatchObject({ status: 403, code: 'CANNOT_MANAGE' });
      expect(await alice.client.setEditorsCanShare(documentId, false)).toEqual({ nodeId: documentId, settings: { editorsCanShare: false } });
      expect(await caught(dave.client.share(documentId, { userIds: ['bob'] }))).toMatchObject({ status: 403, code: 'CANNOT_SHARE' });
      expect(await caught(dave.client.setEditorsCanShare(documentId, true))).toMatchObject({ status: 403, code: 'NOT_OWNER' });
    });

    it('setRole: a Date sets the expiry, undefined keeps it, null removes it', async () => {
      const { documentId } = await alice.client.upload(bytes(10), { name: 'role.txt', shareWith: ['bob'] });
      const until = new Date(Date.now() + 3 * DAY);
      const set = await alice.client.setRole(documentId, 'bob', 'commenter', { expiresAt: until });
      const kept = await alice.client.setRole(documentId, 'u:bob', 'editor');
      const cleared = await alice.client.setRole(documentId, 'bob', 'editor', { expiresAt: null });
      expect(set).toEqual({ nodeId: documentId, principalId: 'u:bob', role: 'commenter', expiresAt: until.toISOString() });
      expect(kept).toEqual({ nodeId: documentId, principalId: 'u:bob', role: 'editor', expiresAt: until.toISOString() });
      expect(cleared).toEqual({ nodeId: documentId, principalId: 'u:bob', role: 'editor' });
      const puts = server.calls.filter((c) => c.method === 'PUT' && c.path === `/nodes/${documentId}/grants/u%3Abob`);
      expect(puts.map((c) => c.body)).toEqual([
        { role: 'commenter', expiresAt: until.toISOString() },
        { role: 'editor', expiresAt: until.toISOString() },
        { role: 'editor', expiresAt: null },
      ]);
      expect(await caught(alice.client.setRole(documentId, 'carol', 'viewer'))).toMatchObject({ status: 409, code: 'NOT_SHARED' });
    });

    it('transferOwnership needs a direct grant; the old owner becomes manager', async () => {
      const { documentId } = await alice.client.upload(bytes(10), { name: 'own.txt', shareWith: ['bob'] });
      expect(await caught(alice.client.transferOwnership(documentId, 'carol'))).toMatchObject({ status: 422, code: 'NEW_OWNER_HAS_NO_KEY' });
      expect(await alice.client.transferOwnership(documentId, 'bob')).toEqual({
        nodeId: documentId,
        ownerId: 'bob',
        previousOwner: { userId: 'alice', role: 'manager' },
      });
      const perms = await bob.client.permissions(documentId);
      expect(perms.ownerId).toBe('bob');
      expect(perms.entries).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ principalId: 'u:bob', role: 'owner' }),
          expect.objectContaining({ principalId: 'u:alice', role: 'manager' }),
        ]),
      );
      expect(await caught(alice.client.transferOwnership(documentId, 'alice'))).toMatchObject({ status: 403, code: 'NOT_OWNER' });
    });

    it('checkAccess asks in batches of 100 and lists only what the caller can see', async () => {
      const { documentId } = await alice.client.upload(bytes(10), { name: 'check.txt', shareWith: ['bob'] });
      const others = Array.from({ length: 149 }, () => toBase64Url(crypto.getRandomValues(new Uint8Array(16))));
      const results = await bob.client.checkAccess([...others.slice(0, 120), documentId, ...others.slice(120), documentId]);
      expect(results).toEqual([{ nodeId: documentId, role: 'viewer', capabilities: ['view', 'download'] }]);
      expect(server.callsTo('POST', '/access/check').map((c) => (c.body as { nodeIds: string[] }).nodeIds.length)).toEqual([100, 50]);
    });
  });

  describe('folders', () => {
    it('a folder share reaches the documents inside: inherited key path, permissions and listing', async () => {
      // Prepare
      const folder = await createRawFolder(alice.client, 'Board papers');
      const data = bytes(4000, 11);
      const documentId = await uploadIntoFolder(alice.client, server.fetch, folder, data, 'minutes.pdf');
      // Act
      await alice.client.share(folder.folderId, { userIds: ['bob'] }, { role: 'commenter' });
      const down = await bob.client.download(documentId);
      const perms = await bob.client.permissions(documentId);
      const listed = await bob.client.list();
      // Assess
      expect(sameBytes(await readAll(down.stream), data)).toBe(true);
      expect(perms.entries).toContainEqual({
        principalId: 'u:bob',
        principalKind: 'user',
        role: 'commenter',
        source: 'inherited',
        inheritedFrom: folder.folderId,
      });
      expect(listed.documents.find((d) => d.documentId === folder.folderId)).toMatchObject({ kind: 'folder', name: 'Board papers', size: 0, role: 'commenter' });
      expect(listed.documents.some((d) => d.documentId === documentId)).toBe(false); // no direct grant on the document
      const folderShare = shares(folder.folderId)[0]!.body as { grants: { wrappedKey: string }[] };
      const bobPrivate = await bob.client.session().then((s) => importPrivateKey(fromBase64Url(s!.privateKeyPkcs8)));
      await expect(
        unwrapKey(bobPrivate, fromBase64Url(folderShare.grants[0]!.wrappedKey), { kind: 'folder', resourceId: folder.folderId, generation: 1, recipientId: 'u:bob' }),
      ).resolves.toHaveLength(32);
    });

    it('list opens a key path when the listing carries no wrapped key', async () => {
      const folder = await createRawFolder(alice.client, 'Unwrapped');
      const { documentId } = await alice.client.upload(bytes(10), { name: 'plain.txt' });
      let inner = false;
      server.intercept(async (call) => {
        if (inner || call.method !== 'GET' || call.path !== '/documents') return undefined;
        inner = true;
        try {
          const page = (await (await server.fetch(call.url, { method: 'GET', headers: call.headers })).json()) as { documents: Record<string, unknown>[] };
          for (const d of page.documents) delete d.wrappedKey;
          return json(200, page);
        } finally {
          inner = false;
        }
      });
      const entries = [];
      for await (const entry of alice.client.listAll()) entries.push(entry);
      expect(entries.find((d) => d.documentId === folder.folderId)).toMatchObject({ kind: 'folder', name: 'Unwrapped' });
      expect(entries.find((d) => d.documentId === documentId)).toMatchObject({ kind: 'document', name: 'plain.txt' });
      expect(server.calls.filter((c) => c.method === 'GET' && c.path === `/nodes/${documentId}`)).toHaveLength(1);
    });
  });
});

describe('retryConcurrentUpdates', () => {
  it('backs off with jitter, doubling to a 1 s cap', () => {
    expect([0, 1, 2, 3, 4, 5, 6].map((n) => backoffMs(n, () => 0))).toEqual([20, 40, 80, 160, 320, 500, 500]);
    expect([0, 1, 2, 3, 4, 5, 6].map((n) => backoffMs(n, () => 1))).toEqual([40, 80, 160, 320, 640, 1000, 1000]);
  });

  it('does not retry other errors', async () => {
    let calls = 0;
    const failure = await caught(
      retryConcurrentUpdates(async () => {
        calls++;
        throw Object.assign(new Error('x'), { code: 'CONCURRENT_UPDATE' }); // not a server answer
      }, async () => undefined),
    );
    expect(failure.message).toBe('x');
    expect(calls).toBe(1);
  });
});

import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { TEST_KDF } from '../../../shared/core/crypto/index.js';
import { bytes, caught, clientFor, readAll, registered, sameBytes, type TestUser } from './support/clients.js';
import { FakeCoffer, json } from './support/FakeCoffer.js';

describe('CofferClient against a fake server', () => {
  const server = new FakeCoffer();
  let alice: TestUser;
  let bob: TestUser;

  beforeAll(async () => {
    alice = await registered(server, 'alice');
    bob = await registered(server, 'bob');
    await registered(server, 'carol');
  });

  beforeEach(() => {
    server.clearInterceptors();
    server.calls.length = 0;
  });

  describe('account', () => {
    it('register stores a session with the private key and pins the own key', async () => {
      const session = await alice.sessions.load();
      expect(session).toMatchObject({ serverUrl: 'http://coffer.test', userId: 'alice' });
      expect(session!.privateKeyPkcs8.length).toBeGreaterThan(2000);
      expect(session!.fingerprint).toBe(server.users.get('alice')!.profile.fingerprint);
      expect(await alice.pins.get('alice')).toBe(session!.fingerprint);
      expect(await alice.client.whoami()).toMatchObject({ userId: 'alice', name: 'Alice' });
    });

    it('never sends the passphrase', () => {
      const register = server.users.get('alice')!;
      expect(JSON.stringify(register)).not.toContain(alice.passphrase);
    });

    it.each([
      ['a wrong passphrase', 'alice', 'not-the-passphrase'],
      ['an unknown user', 'nobody', 'whatever-passphrase'],
    ])('login with %s fails with INVALID_CREDENTIALS', async (_label, userId, passphrase) => {
      const { client, sessions } = clientFor(server);
      const error = await caught(client.login(userId, passphrase));
      expect(error).toMatchObject({ code: 'INVALID_CREDENTIALS', message: 'Wrong user id or passphrase.' });
      expect(await sessions.load()).toBeUndefined();
    });

    it('refuses weak KDF parameters at login unless allowed (a hostile server could lower them)', async () => {
      const { client } = clientFor(server, { allowWeakKdf: false });
      const error = await caught(client.login('alice', alice.passphrase));
      expect(error).toMatchObject({ code: 'WEAK_KDF' });
      expect(server.callsTo('POST', '/auth/token')).toHaveLength(0);
    });

    it('logout revokes the refresh token on the server and erases the session', async () => {
      const { client, sessions } = clientFor(server);
      await client.login('bob', bob.passphrase);
      const { refreshToken } = (await sessions.load())!;
      expect(await client.logout()).toEqual({ userId: 'bob', serverRevoked: true });
      expect(server.callsTo('POST', '/auth/logout')[0]!.body).toEqual({ refreshToken });
      expect(await sessions.load()).toBeUndefined();
      expect(await caught(client.whoami())).toMatchObject({ code: 'NOT_LOGGED_IN' });
    });

    it('logout erases the session even when the server cannot be reached', async () => {
      const { client, sessions } = clientFor(server);
      await client.login('bob', bob.passphrase);
      server.intercept((call) => {
        if (call.path === '/auth/logout') throw new TypeError('fetch failed');
        return undefined;
      });
      expect(await client.logout()).toEqual({ userId: 'bob', serverRevoked: false });
      expect(await sessions.load()).toBeUndefined();
    });

    it('reports REGISTERED_NOT_LOGGED_IN when the account was created but login failed', async () => {
      server.intercept((call) => (call.path === '/auth/token' ? json(503, { error: { code: 'SERVICE_UNAVAILABLE', message: 'Later.' } }) : undefined));
      const { client } = clientFor(server);
      const error = await caught(client.register({ userId: 'dave', name: 'Dave', passphrase: 'dave-long-passphrase', kdf: TEST_KDF }));
      expect(error).toMatchObject({ code: 'REGISTERED_NOT_LOGGED_IN', details: { userId: 'dave' } });
      expect(error.message).toBe('The account dave was created, but logging in failed (Later.). Log in with the same passphrase.');
      expect(server.users.has('dave')).toBe(true);
    });
  });

  describe('documents', () => {
    it('uploads, lists with decrypted names, and lets a recipient download identical bytes', async () => {
      // Prepare
      const data = bytes(2_500_000, 42);
      // Act
      const up = await alice.client.upload(data, { name: 'Q3 report.pdf', shareWith: ['bob', 'alice'] });
      const listed = await bob.client.list();
      const down = await bob.client.download(up.documentId);
      // Assess
      expect(up).toMatchObject({ name: 'Q3 report.pdf', size: 2_500_000, sharedWith: ['bob'] });
      expect(up.documentId).toMatch(/^[A-Za-z0-9_-]{22}$/);
      const create = server.callsTo('POST', '/documents')[0]!.body as { grants: { userId: string }[]; encryptedName: string };
      expect(create.grants.map((g) => g.userId)).toEqual(['alice', 'bob']);
      expect(create.encryptedName).not.toContain('Q3');
      expect(listed.documents.find((d) => d.documentId === up.documentId)).toMatchObject({
        name: 'Q3 report.pdf',
        ownerId: 'alice',
        role: 'viewer',
        size: 2_500_000,
      });
      expect(down).toMatchObject({ name: 'Q3 report.pdf', size: 2_500_000, ownerId: 'alice' });
      expect(sameBytes(await readAll(down.stream), data)).toBe(true);
    });

    it('never puts plaintext in object storage', async () => {
      const marker = new TextEncoder().encode('TOP-SECRET-MARKER '.repeat(100));
      const up = await alice.client.upload(marker, { name: 'm.txt' });
      expect(Buffer.from(server.objects.get(up.documentId)!).includes(Buffer.from('TOP-SECRET'))).toBe(false);
    });

    it('iterates over every page', async () => {
      const { client } = clientFor(server);
      await client.login('carol', 'carol-correct-horse-battery-staple');
      for (let i = 0; i < 5; i++) await client.upload(bytes(10, i), { name: `file-${i}.txt` });
      const names: string[] = [];
      for await (const doc of client.listAll(2)) names.push(doc.name!);
      expect(names).toEqual(['file-0.txt', 'file-1.txt', 'file-2.txt', 'file-3.txt', 'file-4.txt']);
      expect(server.callsTo('GET', '/documents').filter((c) => c.path === '/documents')).toHaveLength(3);
    });

    it('shows an entry whose name cannot be decrypted instead of failing the listing', async () => {
      const up = await alice.client.upload(bytes(10), { name: 'ok.txt' });
      const other = await alice.client.upload(bytes(10), { name: 'other.txt' });
      server.docs.get(up.documentId)!.encryptedName = server.docs.get(other.documentId)!.encryptedName;
      const entries = [];
      for await (const d of alice.client.listAll()) entries.push(d);
      expect(entries.find((d) => d.documentId === up.documentId)).toMatchObject({ name: undefined, nameError: 'DECRYPTION_FAILED' });
      expect(entries.find((d) => d.documentId === other.documentId)).toMatchObject({ name: 'other.txt' });
    });

    it('share skips users who already hold a key; revoke skips users who hold none', async () => {
      const up = await alice.client.upload(bytes(10), { name: 's.txt', shareWith: ['bob'] });
      expect(await alice.client.share(up.documentId, { userIds: ['bob', 'carol'] })).toEqual({
        nodeId: up.documentId,
        sharedWith: ['u:carol'],
        alreadyShared: ['u:bob'],
      });
      expect(await alice.client.revoke(up.documentId, ['carol', 'nobody'])).toEqual({
        nodeId: up.documentId,
        revoked: ['u:carol'],
        notShared: ['u:nobody'],
        keyGeneration: 2, // a revoke on a document rotates its key (docs/versions.md)
        staleLinks: 0,
      });
    });

    it('a revoked user gets DOCUMENT_NOT_FOUND', async () => {
      const up = await alice.client.upload(bytes(10), { name: 'r.txt', shareWith: ['bob'] });
      await alice.client.revoke(up.documentId, ['bob']);
      expect(await caught(bob.client.download(up.documentId))).toMatchObject({ status: 404, code: 'DOCUMENT_NOT_FOUND' });
    });

    it('a viewer cannot share, revoke or delete, each refused with its own code', async () => {
      const up = await alice.client.upload(bytes(10), { name: 'o.txt', shareWith: ['bob'] });
      expect(await caught(bob.client.share(up.documentId, { userIds: ['carol'] }))).toMatchObject({ status: 403, code: 'CANNOT_SHARE' });
      expect(await caught(bob.client.revoke(up.documentId, ['alice']))).toMatchObject({ status: 403, code: 'CANNOT_MANAGE' });
      expect(await caught(bob.client.remove(up.documentId))).toMatchObject({ status: 403, code: 'NOT_OWNER' });
      expect(server.callsTo('POST', `/nodes/${up.documentId}/share`)).toHaveLength(1);
    });

    it('fails the download stream when the ciphertext was altered', async () => {
      const up = await alice.client.upload(bytes(5000), { name: 't.bin' });
      server.objects.get(up.documentId)![100]! ^= 1;
      const down = await alice.client.download(up.documentId);
      expect(await caught(readAll(down.stream))).toMatchObject({ code: 'DECRYPTION_FAILED' });
    });

    it("refuses a wrapped key the server moved from another document (labels bind the document id)", async () => {
      const a = await alice.client.upload(bytes(10), { name: 'a.txt' });
      const b = await alice.client.upload(bytes(10), { name: 'b.txt' });
      const docA = server.docs.get(a.documentId)!;
      docA.grants.get('u:alice')!.wrappedKey = server.docs.get(b.documentId)!.grants.get('u:alice')!.wrappedKey;
      expect(await caught(alice.client.download(a.documentId))).toMatchObject({ code: 'DECRYPTION_FAILED' });
    });

    it('refuses a stream source of the wrong length without completing the upload', async () => {
      const stream = new ReadableStream<Uint8Array>({
        start(c) {
          c.enqueue(bytes(100));
          c.close();
        },
      });
      const error = await caught(alice.client.upload(stream, { name: 'short.bin', size: 200 }));
      expect(error).toMatchObject({ code: 'SIZE_MISMATCH', details: { declared: 200, actual: 100 } });
      expect(server.calls.some((c) => c.path.endsWith('/complete'))).toBe(false);
    });

    it('releases a stream source when the upload is refused before sending (unknown recipient)', async () => {
      let cancelled = false;
      const source = new ReadableStream<Uint8Array>({
        cancel() {
          cancelled = true;
        },
      });
      const error = await caught(alice.client.upload(source, { name: 'x.bin', size: 10, shareWith: ['nobody'] }));
      expect(error).toMatchObject({ code: 'UNKNOWN_USERS' });
      expect(cancelled).toBe(true);
    });

    it('delete makes the document disappear for everyone', async () => {
      const up = await alice.client.upload(bytes(10), { name: 'd.txt', shareWith: ['bob'] });
      await alice.client.remove(up.documentId);
      expect(await caught(bob.client.download(up.documentId))).toMatchObject({ code: 'DOCUMENT_NOT_FOUND' });
      expect(server.objects.has(up.documentId)).toBe(false);
    });
  });
});

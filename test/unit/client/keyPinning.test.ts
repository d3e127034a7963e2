import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { fingerprint, generateUserKeyPair, toBase64Url } from '../../../shared/core/crypto/index.js';
import { KeyChangedError } from '../../../client/sdk/errors.js';
import { bytes, caught, clientFor, registered, type TestUser } from './support/clients.js';
import { FakeCoffer, json } from './support/FakeCoffer.js';

let otherKey: { spki: string; fingerprint: string };

beforeAll(async () => {
  const pair = await generateUserKeyPair();
  otherKey = { spki: toBase64Url(pair.publicKeySpki), fingerprint: await fingerprint(pair.publicKeySpki) };
});

describe('key pinning (TOFU)', () => {
  const server = new FakeCoffer();
  const original = new Map<string, string>();
  let alice: TestUser;
  let bobFingerprint: string;

  beforeAll(async () => {
    const first = await registered(server, 'alice');
    alice = first;
    for (const id of ['bob', 'carol']) {
      await registered(server, id);
      original.set(id, server.users.get(id)!.profile.publicKey);
    }
    bobFingerprint = server.users.get('bob')!.profile.fingerprint;
  });

  beforeEach(async () => {
    // Every test starts as a fresh alice (no pins) facing the original keys.
    for (const [id, spki] of original) await server.replaceKey(id, spki);
    const fresh = clientFor(server);
    await fresh.client.login('alice', alice.passphrase);
    alice = { ...fresh, passphrase: alice.passphrase };
    server.calls.length = 0;
  });

  it('pins a key on first sight, computed locally', async () => {
    // Act
    await alice.client.upload(bytes(10), { name: 'a.txt', shareWith: ['bob'] });
    // Assess
    expect(await alice.pins.get('bob')).toBe(bobFingerprint);
    expect(await alice.pins.get('alice')).toBe(server.users.get('alice')!.profile.fingerprint);
  });

  it('refuses a changed key before anything is created, naming the user, both fingerprints and the override', async () => {
    // Prepare
    await alice.client.upload(bytes(10), { name: 'a.txt', shareWith: ['bob'] });
    await server.replaceKey('bob', otherKey.spki);
    const creates = server.callsTo('POST', '/documents').length;
    // Act
    const error = await caught(alice.client.upload(bytes(10), { name: 'b.txt', shareWith: ['bob'] }));
    // Assess
    expect(error).toBeInstanceOf(KeyChangedError);
    expect(error.code).toBe('KEY_CHANGED');
    expect(error.message).toBe(
      'The public key of bob has changed.\n' +
        `  pinned:    ${bobFingerprint}\n` +
        `  presented: ${otherKey.fingerprint}\n` +
        'This happens when bob registered again, or when someone substitutes their key. ' +
        'Check the new fingerprint with bob over another channel, then accept it with ' +
        "`--accept-new-key bob` (SDK: trustNewKey('bob')).",
    );
    expect(error.details).toEqual({ userId: 'bob', pinnedFingerprint: bobFingerprint, presentedFingerprint: otherKey.fingerprint });
    expect(server.callsTo('POST', '/documents')).toHaveLength(creates);
    expect(await alice.pins.get('bob')).toBe(bobFingerprint);
  });

  it('refuses a changed key when sharing an existing document too', async () => {
    const { documentId } = await alice.client.upload(bytes(10), { name: 'a.txt', shareWith: ['bob'] });
    await alice.client.lookupUsers(['carol']); // lookup alone pins nothing
    expect(await alice.pins.get('carol')).toBeUndefined();
    await alice.client.share(documentId, { userIds: ['carol'] });
    await server.replaceKey('carol', otherKey.spki);
    const { documentId: second } = await alice.client.upload(bytes(10), { name: 'b.txt' });
    const error = await caught(alice.client.share(second, { userIds: ['carol'] }));
    expect(error).toMatchObject({ code: 'KEY_CHANGED', userId: 'carol' });
    expect(server.callsTo('POST', `/nodes/${second}/share`)).toHaveLength(0);
  });

  it('accepts a changed key with acceptNewKeyFor (--accept-new-key) and re-pins it', async () => {
    await alice.client.upload(bytes(10), { name: 'a.txt', shareWith: ['bob'] });
    await server.replaceKey('bob', otherKey.spki);
    const result = await alice.client.upload(bytes(10), { name: 'b.txt', shareWith: ['bob'], acceptNewKeyFor: ['bob'] });
    expect(result.sharedWith).toEqual(['bob']);
    expect(await alice.pins.get('bob')).toBe(otherKey.fingerprint);
  });

  it('does not let acceptNewKeyFor of one user cover another', async () => {
    await alice.client.upload(bytes(10), { name: 'a.txt', shareWith: ['bob'] });
    await server.replaceKey('bob', otherKey.spki);
    const error = await caught(alice.client.upload(bytes(10), { name: 'b.txt', shareWith: ['bob'], acceptNewKeyFor: ['carol'] }));
    expect(error).toMatchObject({ code: 'KEY_CHANGED', userId: 'bob' });
  });

  it('trustNewKey re-pins and reports the previous fingerprint', async () => {
    await alice.client.upload(bytes(10), { name: 'a.txt', shareWith: ['bob'] });
    await server.replaceKey('bob', otherKey.spki);
    const result = await alice.client.trustNewKey('bob');
    expect(result).toEqual({ userId: 'bob', fingerprint: otherKey.fingerprint, previousFingerprint: bobFingerprint });
    await expect(alice.client.upload(bytes(10), { name: 'b.txt', shareWith: ['bob'] })).resolves.toMatchObject({ sharedWith: ['bob'] });
  });

  it('keyStatus shows the key a share would meet (new, pinned, changed) and pins nothing', async () => {
    // Act: never seen
    const first = await alice.client.keyStatus('bob');
    // Assess
    expect(first).toEqual({ principalId: 'u:bob', name: 'Bob', fingerprint: bobFingerprint, status: 'new' });
    expect(await alice.pins.get('bob')).toBeUndefined();
    // Act: pinned by a share, then the key changes
    await alice.client.upload(bytes(10), { name: 'a.txt', shareWith: ['bob'] });
    expect(await alice.client.keyStatus('u:bob')).toMatchObject({ status: 'pinned', pinned: bobFingerprint });
    await server.replaceKey('bob', otherKey.spki);
    // Assess: both fingerprints, the pin untouched
    expect(await alice.client.keyStatus('bob')).toEqual({ principalId: 'u:bob', name: 'Bob', fingerprint: otherKey.fingerprint, pinned: bobFingerprint, status: 'changed' });
    expect(await alice.pins.get('bob')).toBe(bobFingerprint);
    expect(await caught(alice.client.keyStatus('zed'))).toMatchObject({ code: 'UNKNOWN_USERS' });
  });

  it('refuses a key whose stated fingerprint is not its SHA-256, even on first sight', async () => {
    let lying = true;
    server.intercept(async (call) => {
      if (!lying || call.method !== 'GET' || call.path !== '/users') return undefined;
      lying = false;
      const profile = server.users.get('bob')!.profile;
      return json(200, { users: [{ ...profile, publicKey: otherKey.spki }], unknownUserIds: [] });
    });
    const error = await caught(alice.client.upload(bytes(10), { name: 'a.txt', shareWith: ['bob'] }));
    expect(error).toMatchObject({
      code: 'KEY_FINGERPRINT_MISMATCH',
      message: 'The server sent a public key for bob that does not match its stated fingerprint: refusing to use it.',
    });
    expect(await alice.pins.get('bob')).toBeUndefined();
  });

  it('lists unknown recipients before creating anything', async () => {
    const error = await caught(alice.client.upload(bytes(10), { name: 'a.txt', shareWith: ['bob', 'zed', 'yan'] }));
    expect(error).toMatchObject({ code: 'UNKNOWN_USERS', message: 'No such users: zed, yan.', userIds: ['zed', 'yan'] });
    expect(server.callsTo('POST', '/documents')).toHaveLength(0);
  });
});

describe('own key at login', () => {
  it('refuses a server that substitutes the public key of the user logging in', async () => {
    // Prepare: the server hands back another key (with a matching fingerprint) as alice's.
    const server = new FakeCoffer();
    const alice = await registered(server, 'alice');
    await alice.client.logout();
    server.intercept(async (call) => {
      if (call.path !== '/auth/token') return undefined;
      const user = server.users.get('alice')!;
      if (user.authKey !== (call.body as { authKey: string }).authKey) return undefined;
      return json(200, {
        accessToken: 'at',
        tokenType: 'Bearer',
        expiresAt: new Date(Date.now() + 60_000).toISOString(),
        refreshToken: 'r'.repeat(43),
        refreshExpiresAt: new Date(Date.now() + 60_000).toISOString(),
        encryptedPrivateKey: user.sealed,
        user: { ...user.profile, publicKey: otherKey.spki, fingerprint: otherKey.fingerprint },
      });
    });
    // Act
    const error = await caught(alice.client.login('alice', alice.passphrase));
    // Assess
    expect(error).toMatchObject({ code: 'PRIVATE_KEY_UNREADABLE' });
    expect(error.message).toContain('it does not match your public key on the server');
    expect(await alice.client.session()).toBeUndefined();
  });
});

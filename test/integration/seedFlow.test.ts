import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { vi, afterAll, beforeAll, describe, expect, it } from 'vitest';

import { CofferClient } from '../../client/sdk/CofferClient.js';
import { MemoryKeyPinStore } from '../../client/sdk/KeyPinStore.js';
import { MemorySessionStore } from '../../client/sdk/Session.js';
import { s3Client } from '../../shared/server/config/clients.js';
import { TEST_KDF } from '../../shared/core/crypto/index.js';
import { runCli } from '../helpers/cliRunner.js';
import { type LocalStack, startLocalStack } from '../helpers/localStack.js';
import { readAll } from '../helpers/streams.js';
import { pseudoRandomBytes as bytes } from '../helpers/pseudoRandomBytes.js';
import { rejection as failure } from '../helpers/rejection.js';

// Key generation is this file's subject (and the seed flow's): real RSA key pairs, not the test pool.
vi.unmock('../../shared/core/crypto/userKeyPair.js');

/**
 * The seed flow (the proof of concept's README: create users, upload and share, list,
 * download, share more, revoke, delete, /users/me, user lookup) driven through the SDK
 * and the CLI against the real handlers on DynamoDB Local and s3rver.
 */

const MiB = 1024 * 1024;
const PART_SIZE = 5 * MiB;

interface Actor {
  userId: string;
  client: CofferClient;
  sessions: MemorySessionStore;
  passphrase: string;
  /** Every request this client sent (method and URL). */
  requests: { method: string; url: string }[];
}

let stack: LocalStack;
let clockOffsetMs = 0;
const actors: Record<string, Actor> = {};

function newClient(userId: string): Omit<Actor, 'passphrase'> {
  const requests: Actor['requests'] = [];
  const sessions = new MemorySessionStore();
  const client = new CofferClient({
    serverUrl: stack.url,
    sessionStore: sessions,
    pinStore: new MemoryKeyPinStore(),
    tuning: { allowWeakKdf: true },
    fetch: (url, init) => {
      requests.push({ method: init?.method ?? 'GET', url });
      return fetch(url, init);
    },
  });
  return { userId, client, sessions, requests };
}

async function objectsOf(documentId: string): Promise<string[]> {
  const out = await s3Client(stack.endpoints).send(new ListObjectsV2Command({ Bucket: stack.bucket, Prefix: `docs/${documentId}/` }));
  return (out.Contents ?? []).map((o) => o.Key!);
}

beforeAll(async () => {
  stack = await startLocalStack({
    clock: () => Date.now() + clockOffsetMs,
    settings: { multipartThreshold: 8 * MiB, partSize: PART_SIZE },
  });
  await Promise.all(
    ['alice', 'bob', 'charlie', 'david', 'eve'].map(async (userId) => {
      const actor = newClient(userId);
      const passphrase = `${userId}-integration-passphrase`;
      await actor.client.register({
        userId,
        name: userId[0]!.toUpperCase() + userId.slice(1),
        ...(userId === 'alice' && { email: 'alice@example.com', designation: 'CFO' }),
        passphrase,
        kdf: TEST_KDF,
      });
      actors[userId] = { ...actor, passphrase };
    }),
  );
});

afterAll(async () => {
  await stack?.stop();
});

describe('seed flow through the SDK', () => {
  it('upload and share, list, download, share more, revoke, refuse strangers and non-owners, delete', async () => {
    const { alice, bob, charlie, david, eve } = actors as Record<string, Actor>;
    const plaintext = bytes(3 * MiB + 12345, 1);

    // alice uploads and shares with bob and charlie
    const up = await alice!.client.upload(plaintext, { name: 'Q3 payroll.pdf', shareWith: ['bob', 'charlie'] });
    expect(up).toMatchObject({ name: 'Q3 payroll.pdf', size: plaintext.length, sharedWith: ['bob', 'charlie'] });
    const id = up.documentId;

    // lists: the owner and a recipient see the decrypted name
    const aliceList = await alice!.client.list();
    expect(aliceList.documents).toEqual([expect.objectContaining({ documentId: id, name: 'Q3 payroll.pdf', role: 'owner', size: plaintext.length })]);
    const bobList = await bob!.client.list();
    expect(bobList.documents).toEqual([expect.objectContaining({ documentId: id, name: 'Q3 payroll.pdf', role: 'viewer', ownerId: 'alice' })]);

    // bob and charlie download identical bytes
    for (const reader of [bob!, charlie!]) {
      const down = await reader.client.download(id);
      expect(down).toMatchObject({ name: 'Q3 payroll.pdf', size: plaintext.length, ownerId: 'alice' });
      expect(Buffer.from(await readAll(down.stream)).equals(plaintext)).toBe(true);
    }

    // alice shares with david as well (bob is skipped: he already has a key)
    expect(await alice!.client.share(id, { userIds: ['david', 'bob'] })).toEqual({ nodeId: id, sharedWith: ['u:david'], alreadyShared: ['u:bob'] });
    expect(Buffer.from(await readAll((await david!.client.download(id)).stream)).equals(plaintext)).toBe(true);

    // alice revokes bob: his GET is a 404, and the document leaves his list
    expect(await alice!.client.revoke(id, ['bob'])).toEqual({ nodeId: id, revoked: ['u:bob'], notShared: [], keyGeneration: 2, staleLinks: 0 });
    expect(await failure(bob!.client.download(id))).toMatchObject({ status: 404, code: 'DOCUMENT_NOT_FOUND' });
    expect((await bob!.client.list()).documents).toEqual([]);

    // a stranger gets the same 404 as for an unknown document
    expect(await failure(eve!.client.download(id))).toMatchObject({ status: 404, code: 'DOCUMENT_NOT_FOUND' });
    expect(await failure(eve!.client.download('AAAAAAAAAAAAAAAAAAAAAA'))).toMatchObject({ status: 404, code: 'DOCUMENT_NOT_FOUND' });

    // a viewer may not share, revoke or delete
    expect(await failure(charlie!.client.share(id, { userIds: ['eve'] }))).toMatchObject({ status: 403, code: 'CANNOT_SHARE' });
    expect(await failure(charlie!.client.revoke(id, ['david']))).toMatchObject({ status: 403, code: 'CANNOT_MANAGE' });
    expect(await failure(charlie!.client.remove(id))).toMatchObject({ status: 403, code: 'NOT_OWNER' });
    // and a stranger cannot even see it
    expect(await failure(eve!.client.remove(id))).toMatchObject({ status: 404, code: 'DOCUMENT_NOT_FOUND' });

    // alice deletes: everyone gets 404 and the ciphertext is gone from S3
    expect(await objectsOf(id)).toEqual([`docs/${id}/v1`]);
    await alice!.client.remove(id);
    for (const reader of [alice!, charlie!, david!]) {
      expect(await failure(reader.client.download(id))).toMatchObject({ status: 404, code: 'DOCUMENT_NOT_FOUND' });
    }
    expect(await objectsOf(id)).toEqual([]);
    expect((await alice!.client.list()).documents).toEqual([]);
  });

  it('GET /users/me and a lookup with an unknown id', async () => {
    const { alice, bob } = actors as Record<string, Actor>;
    const me = await alice!.client.whoami();
    expect(me).toMatchObject({ userId: 'alice', name: 'Alice', email: 'alice@example.com', designation: 'CFO', kind: 'member' });
    expect(me.fingerprint).toBe((await alice!.client.session())!.fingerprint);

    const found = await alice!.client.lookupUsers(['bob', 'nobody']);
    expect(found.unknownUserIds).toEqual(['nobody']);
    expect(found.users).toEqual([expect.objectContaining({ userId: 'bob', name: 'Bob', fingerprint: (await bob!.client.session())!.fingerprint })]);
    expect(found.users[0]).not.toHaveProperty('email');
  });

  it('login: the right passphrase works, a wrong one or an unknown user is INVALID_CREDENTIALS', async () => {
    const fresh = newClient('bob');
    await expect(fresh.client.login('bob', actors.bob!.passphrase)).resolves.toMatchObject({ userId: 'bob' });
    expect(await failure(newClient('bob').client.login('bob', 'not-bobs-passphrase'))).toMatchObject({
      code: 'INVALID_CREDENTIALS',
      message: 'Wrong user id or passphrase.',
    });
    expect(await failure(newClient('zed').client.login('zed', 'anything-at-all'))).toMatchObject({ code: 'INVALID_CREDENTIALS' });
  });

  it('refreshes an expired access token once and carries on', async () => {
    const { alice } = actors as Record<string, Actor>;
    const before = (await alice!.sessions.load())!;
    clockOffsetMs += 16 * 60 * 1000; // past the 15-minute access token lifetime, as the server sees it
    const me = await alice!.client.whoami();
    expect(me.userId).toBe('alice');
    const after = (await alice!.sessions.load())!;
    expect(after.accessToken).not.toBe(before.accessToken);
    expect(after.refreshToken).not.toBe(before.refreshToken);
    const refreshes = alice!.requests.filter((r) => r.url.endsWith('/auth/refresh'));
    expect(refreshes).toHaveLength(1);
  });

  it('multipart: a ~20 MiB upload goes up in parts and comes back identical', async () => {
    const { alice, bob } = actors as Record<string, Actor>;
    const plaintext = bytes(20 * MiB + 777, 2);
    alice!.requests.length = 0;
    const up = await alice!.client.upload(plaintext, { name: 'big.bin', shareWith: ['bob'] });
    const partPuts = alice!.requests.filter((r) => r.method === 'PUT' && r.url.includes('partNumber='));
    expect(partPuts).toHaveLength(Math.ceil(up.ciphertextSize / PART_SIZE));
    expect(partPuts.length).toBeGreaterThanOrEqual(4);
    const down = await bob!.client.download(up.documentId);
    expect(Buffer.from(await readAll(down.stream)).equals(plaintext)).toBe(true);
    await alice!.client.remove(up.documentId);
  });
});

/** The real CLI against this stack, spawned as `node client/cli/bin.js` (test/helpers/cliRunner.ts). */
const cli = (home: string, args: string[], stdin?: string, env: Record<string, string> = {}) =>
  runCli(args, { home, serverUrl: stack.url, spawn: true, ...(stdin !== undefined ? { stdin } : {}), env: { COFFER_ALLOW_WEAK_KDF: '', ...env } }); // the smoke test keeps the production KDF floor

describe('CLI smoke test (node client/cli/bin.js --json)', () => {
  it('register, logout, login, upload, ls, download', async () => {
    const root = await mkdtemp(join(tmpdir(), 'coffer-cli-it-'));
    const home = join(root, 'home');
    const file = join(root, 'notes.txt');
    const content = bytes(2 * MiB + 3, 3);
    await writeFile(file, content);
    const json = (r: { stdout: string }) => JSON.parse(r.stdout);

    const registered = await cli(home, ['--json', 'register', '--user', 'frank', '--name', 'Frank']);
    expect(registered.code, registered.stdout + registered.stderr).toBe(0);
    const { passphrase } = json(registered);
    expect(passphrase.split('-')).toHaveLength(7);

    expect(json(await cli(home, ['--json', 'logout']))).toMatchObject({ loggedOut: true, userId: 'frank' });
    const loggedOut = await cli(home, ['--json', 'ls']);
    expect(loggedOut.code).toBe(3);
    expect(json(loggedOut).error.code).toBe('NOT_LOGGED_IN');

    const login = await cli(home, ['--json', 'login', '--user', 'frank', '--passphrase-stdin'], `${passphrase}\n`);
    expect(login.code, login.stdout + login.stderr).toBe(0);
    expect(json(login)).toMatchObject({ userId: 'frank', serverUrl: stack.url });

    const upload = await cli(home, ['--json', 'upload', file, '--share', 'alice']);
    expect(upload.code, upload.stdout + upload.stderr).toBe(0);
    const { documentId } = json(upload);
    expect(json(upload)).toMatchObject({ name: 'notes.txt', size: content.length, sharedWith: ['alice'] });
    expect(upload.stderr).toBe(''); // no progress bar when stderr is not a terminal

    const ls = await cli(home, ['--json', 'ls']);
    expect(json(ls).documents).toEqual([expect.objectContaining({ documentId, name: 'notes.txt', ownerId: 'frank', size: content.length })]);

    const out = join(root, 'out');
    await mkdir(out);
    const download = await cli(home, ['--json', 'download', documentId, '-o', out]);
    expect(download.code, download.stdout + download.stderr).toBe(0);
    expect(json(download)).toMatchObject({ path: join(out, 'notes.txt'), size: content.length });
    expect((await readFile(join(out, 'notes.txt'))).equals(content)).toBe(true);

    // and alice, through the SDK, reads what frank shared from the CLI
    const viaSdk = await actors.alice!.client.download(documentId);
    expect(Buffer.from(await readAll(viaSdk.stream)).equals(content)).toBe(true);

    // frank shares with bob as commenter from the CLI; bob (logged in with the CLI) downloads as recipient
    const shared = await cli(home, ['--json', 'share', documentId, '--to', 'bob', '--role', 'commenter', '--expires', '7d']);
    expect(shared.code, shared.stdout + shared.stderr).toBe(0);
    expect(json(shared)).toMatchObject({ nodeId: documentId, sharedWith: ['u:bob'], alreadyShared: [], role: 'commenter' });
    const bobHome = join(root, 'bob');
    const bobLogin = await cli(bobHome, ['--json', 'login', '--user', 'bob', '--passphrase-stdin'], `${actors.bob!.passphrase}\n`, {
      COFFER_ALLOW_WEAK_KDF: '1', // bob's account was made with the test KDF
    });
    expect(bobLogin.code, bobLogin.stdout + bobLogin.stderr).toBe(0);
    const bobOut = join(root, 'bob-out');
    await mkdir(bobOut);
    const bobDownload = await cli(bobHome, ['--json', 'download', documentId, '-o', bobOut]);
    expect(bobDownload.code, bobDownload.stdout + bobDownload.stderr).toBe(0);
    expect((await readFile(join(bobOut, 'notes.txt'))).equals(content)).toBe(true);

    const perms = json(await cli(home, ['--json', 'perms', documentId]));
    expect(perms.entries).toEqual([
      { principalId: 'u:frank', principalKind: 'user', role: 'owner', source: 'direct' },
      expect.objectContaining({ principalId: 'u:bob', role: 'commenter', source: 'direct', expiresAt: expect.any(String) }),
      { principalId: 'u:alice', principalKind: 'user', role: 'viewer', source: 'direct' },
    ]);

    // frank revokes bob: the CLI download is refused with exit 4
    const revoked = await cli(home, ['--json', 'revoke', documentId, 'bob']);
    expect(json(revoked)).toEqual({ nodeId: documentId, revoked: ['u:bob'], notShared: [], keyGeneration: 2, staleLinks: 0 });
    const refused = await cli(bobHome, ['--json', 'download', documentId, '-o', bobOut, '--force']);
    expect(refused.code).toBe(4);
    expect(json(refused).error).toEqual({ code: 'DOCUMENT_NOT_FOUND', message: 'No such document, or you have no access to it.' });
  }, 60_000);
});

import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { createHash } from 'node:crypto';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { CliIo } from '../../client/cli/io.js';
import { run } from '../../client/cli/program.js';
import { CofferClient } from '../../client/sdk/CofferClient.js';
import {
  TEST_KDF,
  deriveUserKeys,
  encryptMetadata,
  fingerprint,
  generateUserKeyPair,
  newKdfParams,
  sealPrivateKey,
  toBase64Url,
} from '../../shared/core/crypto/index.js';
import { keys } from '../../shared/server/data/keys.js';
import { commentField, newCommentId } from '../../shared/core/api/schemas/comments.js';
import { type Actor, newDocumentId, register, upload } from '../helpers/actors.js';
import { api, type ApiResponse } from '../helpers/http.js';
import { type LocalStack, startLocalStack } from '../helpers/localStack.js';
import { readAuditEvents } from '../../shared/server/data/auditChain.js';

let stack: LocalStack;
let url: string;
let alice: Actor;
/** The handlers' clock: a test moves it forward to expire an invitation. */
let offsetMs = 0;

beforeAll(async () => {
  stack = await startLocalStack({ clock: () => Date.now() + offsetMs });
  url = stack.url;
  alice = await register(url, 'alice');
});
afterAll(() => stack?.stop());
afterEach(() => {
  offsetMs = 0;
});

const WEEK_SECONDS = 7 * 24 * 3600;

function payload(jwt: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString('utf8'));
}

async function invite(actor: Actor = alice, note?: string): Promise<string> {
  const res = await api(url, 'POST', '/invitations', { token: actor.accessToken, body: note ? { note } : {} });
  expect(res.status).toBe(201);
  return res.body.invitationCode;
}

/** POST /users as a real client would (keys made here), with an invitation code when given. */
async function registerWith(userId: string, invitationCode?: string): Promise<{ res: ApiResponse; login: () => Promise<Actor> }> {
  const passphrase = `guest-passphrase-${userId}-${Math.random().toString(36).slice(2)}`;
  const params = newKdfParams(TEST_KDF);
  const userKeys = await deriveUserKeys(passphrase, params);
  const pair = await generateUserKeyPair();
  const res = await api(url, 'POST', '/users', {
    body: {
      userId,
      name: `Guest ${userId}`,
      publicKey: toBase64Url(pair.publicKeySpki),
      encryptedPrivateKey: toBase64Url(await sealPrivateKey(pair.privateKeyPkcs8, userKeys.encryptionKey, userId)),
      kdf: params,
      authKey: toBase64Url(userKeys.authKey),
      ...(invitationCode !== undefined ? { invitationCode } : {}),
    },
  });
  const login = async (): Promise<Actor> => {
    const token = await api(url, 'POST', '/auth/token', { body: { userId, authKey: toBase64Url(userKeys.authKey) } });
    expect(token.status).toBe(200);
    return {
      userId,
      passphrase,
      authKey: toBase64Url(userKeys.authKey),
      publicKeySpki: pair.publicKeySpki,
      publicKey: pair.publicKey,
      privateKey: pair.privateKey,
      fingerprint: await fingerprint(pair.publicKeySpki),
      accessToken: token.body.accessToken,
      refreshToken: token.body.refreshToken,
    };
  };
  return { res, login };
}

async function registerGuest(userId: string): Promise<Actor> {
  const { res, login } = await registerWith(userId, await invite());
  expect(res.status).toBe(201);
  return login();
}

async function getItem(key: { pk: string; sk: string }) {
  return (await stack.deps.db.doc.send(new GetCommand({ TableName: stack.table, Key: key, ConsistentRead: true }))).Item;
}

/** Every audit event of one actor, on every chain, oldest first. */
async function auditOf(actorId: string): Promise<Record<string, unknown>[]> {
  return ((await readAuditEvents(stack.deps.db)) as unknown as Record<string, unknown>[]).filter((i) => i.actorId === actorId);
}

describe('invitations', () => {
  it('gives a member a one-time code valid 7 days, and stores only its hash', async () => {
    const res = await api(url, 'POST', '/invitations', { token: alice.accessToken, body: { note: 'Auditor from Initech' } });
    expect(res.status).toBe(201);
    expect(Object.keys(res.body).sort()).toEqual(['expiresAt', 'invitationCode']);
    expect(res.body.invitationCode).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Math.abs(Date.parse(res.body.expiresAt) - (Date.now() + WEEK_SECONDS * 1000))).toBeLessThan(60_000);
    const hash = createHash('sha256').update(res.body.invitationCode).digest('hex');
    const item = await getItem(keys.invitation(hash));
    expect(item).toMatchObject({ invitedBy: 'alice', note: 'Auditor from Initech', expiresAt: Date.parse(res.body.expiresAt) / 1000 });
    expect(JSON.stringify(item)).not.toContain(res.body.invitationCode);
  });

  it('accepts an empty body and refuses a note above 200 characters', async () => {
    expect((await api(url, 'POST', '/invitations', { token: alice.accessToken })).status).toBe(201);
    const res = await api(url, 'POST', '/invitations', { token: alice.accessToken, body: { note: 'x'.repeat(201) } });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('VALIDATION_FAILED');
  });

  it('needs a token', async () => {
    expect((await api(url, 'POST', '/invitations', { body: {} })).status).toBe(401);
  });
});

describe('guest registration', () => {
  it('registers a guest with a code, spends the code, and gives guest tokens (after refresh too)', async () => {
    const code = await invite();
    const { res, login } = await registerWith('gina', code);
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ userId: 'gina', kind: 'guest' });
    const gina = await login();
    expect(payload(gina.accessToken)).toMatchObject({ sub: 'gina', kind: 'guest' });
    expect((await api(url, 'GET', '/users/me', { token: gina.accessToken })).body.kind).toBe('guest');
    const refreshed = await api(url, 'POST', '/auth/refresh', { body: { refreshToken: gina.refreshToken } });
    expect(refreshed.status).toBe(200);
    expect(payload(refreshed.body.accessToken)).toMatchObject({ sub: 'gina', kind: 'guest' });

    const invitation = await getItem(keys.invitation(createHash('sha256').update(code).digest('hex')));
    expect(invitation).toMatchObject({ invitedBy: 'alice', usedBy: 'gina', usedAt: expect.any(String), validUntil: expect.any(Number) });
    // A used invitation is kept (who invited whom) and no longer expires.
    expect(invitation).not.toHaveProperty('expiresAt');
  });

  it('registers a member without a code, with member tokens', async () => {
    expect(payload(alice.accessToken)).toMatchObject({ sub: 'alice', kind: 'member' });
    expect((await api(url, 'GET', '/users/me', { token: alice.accessToken })).body.kind).toBe('member');
    const refreshed = await api(url, 'POST', '/auth/refresh', { body: { refreshToken: alice.refreshToken } });
    alice.refreshToken = refreshed.body.refreshToken;
    alice.accessToken = refreshed.body.accessToken;
    expect(payload(refreshed.body.accessToken).kind).toBe('member');
  });

  it('accepts a code once: a second registration gets 422 INVALID_INVITATION and creates nothing', async () => {
    const code = await invite();
    expect((await registerWith('gus', code)).res.status).toBe(201);
    const again = await registerWith('gus2', code);
    expect(again.res.status).toBe(422);
    expect(again.res.body.error.code).toBe('INVALID_INVITATION');
    expect(await getItem(keys.userProfile('gus2'))).toBeUndefined();
    expect(await getItem(keys.userCredentials('gus2'))).toBeUndefined();
  });

  it('lets exactly one of two concurrent registrations with the same code succeed', async () => {
    for (let round = 0; round < 3; round++) {
      const code = await invite();
      const ids = [`race${round}a`, `race${round}b`];
      const results = await Promise.all(ids.map((id) => registerWith(id, code)));
      const statuses = results.map((r) => r.res.status);
      expect(statuses.filter((s) => s === 201), JSON.stringify(results.map((r) => r.res.body))).toHaveLength(1);
      const loser = results.find((r) => r.res.status !== 201)!;
      expect(['INVALID_INVITATION', 'CONCURRENT_UPDATE']).toContain(loser.res.body.error.code);
      const loserId = ids[statuses.findIndex((s) => s !== 201)]!;
      expect(await getItem(keys.userProfile(loserId))).toBeUndefined();
      expect(await getItem(keys.userCredentials(loserId))).toBeUndefined();
    }
  });

  it('refuses an expired code with the same answer as an unknown one', async () => {
    const code = await invite();
    offsetMs = (WEEK_SECONDS + 1) * 1000;
    const expired = await registerWith('late', code);
    const unknown = await registerWith('late2', toBase64Url(crypto.getRandomValues(new Uint8Array(32))));
    expect(expired.res.status).toBe(422);
    expect(expired.res.body).toEqual(unknown.res.body);
    expect(expired.res.body.error.code).toBe('INVALID_INVITATION');
    expect(await getItem(keys.userProfile('late'))).toBeUndefined();
    offsetMs = (WEEK_SECONDS - 60) * 1000;
    expect((await registerWith('justintime', code)).res.status).toBe(201);
  });

  it('keeps the code when the user id is taken, so the guest can retry with another id', async () => {
    const code = await invite();
    const taken = await registerWith('alice', code);
    expect(taken.res.status).toBe(409);
    expect(taken.res.body.error.code).toBe('USER_EXISTS');
    expect((await registerWith('alice-guest', code)).res.status).toBe(201);
  });

  it('refuses a malformed code with 400', async () => {
    const res = await registerWith('typo', 'not-a-code');
    expect(res.res.status).toBe(400);
  });
});

describe('what guests may not do', () => {
  it('refuses the user directory and invitations with 403 GUEST_FORBIDDEN', async () => {
    const guest = await registerGuest('gail');
    const lookup = await api(url, 'GET', '/users?ids=alice', { token: guest.accessToken });
    expect(lookup.status).toBe(403);
    expect(lookup.body.error.code).toBe('GUEST_FORBIDDEN');
    const invitation = await api(url, 'POST', '/invitations', { token: guest.accessToken, body: {} });
    expect(invitation.status).toBe(403);
    expect(invitation.body.error.code).toBe('GUEST_FORBIDDEN');
    // Members still look guests up (to share with them).
    const found = await api(url, 'GET', '/users?ids=gail', { token: alice.accessToken });
    expect(found.body.users).toEqual([expect.objectContaining({ userId: 'gail', kind: 'guest' })]);
  });
});

describe('the audit of guest requests', () => {
  it("records every request of a guest, success or failure, with ids but no token or body; a member's only on audited routes", async () => {
    const guest = await registerGuest('gwen');
    // Registering and logging in are audited actions (docs/audit.md), as the guest.
    const signUp = await auditOf('gwen');
    expect(signUp.map((e) => [e.operation, e.actorKind, e.outcome])).toEqual([
      ['register', 'guest', 'success'],
      ['token', 'guest', 'success'],
    ]);
    const doc = await upload(url, alice, new TextEncoder().encode('shared with a guest'), 'g.txt', [guest]);
    const missing = newDocumentId();
    const commentId = newCommentId(Date.now());
    const secretComment = 'guest-comment-body-text';
    const requests: [string, string, object | undefined, number, string, Record<string, string>, string?][] = [
      ['GET', '/users/me', undefined, 200, 'me', {}],
      ['GET', `/documents/${doc.documentId}`, undefined, 200, 'getDocument', { id: doc.documentId }],
      ['GET', `/documents/${doc.documentId}/comments?limit=5`, undefined, 200, 'listComments', { id: doc.documentId }],
      [
        'POST',
        `/documents/${doc.documentId}/comments`,
        { commentId, ciphertext: await encryptMetadata(doc.dek, doc.documentId, commentField(commentId), secretComment), keyGeneration: 1 },
        403,
        'addComment',
        { id: doc.documentId },
        'CANNOT_COMMENT',
      ],
      ['GET', `/documents/${missing}`, undefined, 404, 'getDocument', { id: missing }, 'DOCUMENT_NOT_FOUND'],
      ['GET', '/users?ids=alice', undefined, 403, 'lookupUsers', {}, 'GUEST_FORBIDDEN'],
      ['POST', '/invitations', { note: 'secret-note-text' }, 403, 'createInvitation', {}, 'GUEST_FORBIDDEN'],
      ['GET', '/documents/not-an-id', undefined, 400, 'getDocument', { id: 'not-an-id' }, 'VALIDATION_FAILED'],
    ];
    const requestIds: string[] = [];
    for (const [method, path, body, status] of requests) {
      const res = await api(url, method, path, { token: guest.accessToken, ...(body ? { body } : {}) });
      expect(res.status, `${method} ${path}`).toBe(status);
      requestIds.push(res.headers.get('x-request-id')!);
    }
    // A member's listing is not audited; a member's refused download is.
    const aliceBefore = (await auditOf('alice')).length;
    await api(url, 'GET', '/users/me', { token: alice.accessToken });
    await api(url, 'GET', '/documents', { token: alice.accessToken });
    await api(url, 'GET', `/documents/${missing}`, { token: alice.accessToken });

    const events = (await auditOf('gwen')).slice(signUp.length);
    expect(events).toHaveLength(requests.length);
    events.forEach((e, i) => {
      const [method, , , status, operation, targets, errorCode] = requests[i]!;
      expect(e).toMatchObject({ actorId: 'gwen', actorKind: 'guest', method, operation, status, targets, requestId: requestIds[i], sourceIp: '127.0.0.1' });
      expect(e.pk).toBe(`AUDIT#${String(e.shard)}`);
      expect(e.sk).toBe(`SEQ#${String(e.seq).padStart(12, '0')}`);
      if (errorCode) expect(e.errorCode).toBe(errorCode);
      else expect(e).not.toHaveProperty('errorCode');
    });
    expect(events[1]!.path).toBe('/documents/{id}');
    const dump = JSON.stringify(events);
    for (const secret of [guest.accessToken, guest.accessToken.split('.')[2]!, guest.refreshToken, secretComment, 'secret-note-text', 'limit=5', 'Bearer']) {
      expect(dump).not.toContain(secret);
    }
    const alices = (await auditOf('alice')).slice(aliceBefore);
    expect(alices.map((e) => [e.operation, e.actorKind, e.outcome, e.errorCode])).toEqual([['getDocument', 'user', 'failure', 'DOCUMENT_NOT_FOUND']]);
  });
});

describe('the SDK and the CLI', () => {
  async function coffer(home: string, args: string[]) {
    let stdout = '';
    const io: CliIo = {
      stdout: { write: (t: string) => (stdout += t) },
      stderr: Object.assign(new Writable({ write: (_c, _e, cb) => cb() }), { isTTY: false }),
      stdin: Readable.from([]) as unknown as NodeJS.ReadStream,
      env: { COFFER_HOME: home, COFFER_URL: url, COFFER_ALLOW_WEAK_KDF: '1', COFFER_PASSPHRASE: alice.passphrase },
    };
    const code = await run(['--json', ...args], io);
    return { code, json: stdout.trim() ? JSON.parse(stdout) : undefined };
  }

  it('createInvitation and register({ invitationCode }) make a guest', async () => {
    const member = new CofferClient({ serverUrl: url, tuning: { allowWeakKdf: true } });
    await member.login('alice', alice.passphrase);
    const { invitationCode, expiresAt } = await member.createInvitation('for Sam');
    expect(Date.parse(expiresAt)).toBeGreaterThan(Date.now());
    const guest = new CofferClient({ serverUrl: url, tuning: { allowWeakKdf: true } });
    const profile = await guest.register({ userId: 'sam', name: 'Sam', passphrase: 'sam-long-passphrase-words', kdf: TEST_KDF, invitationCode });
    expect(profile.kind).toBe('guest');
    await expect(guest.createInvitation()).rejects.toMatchObject({ code: 'GUEST_FORBIDDEN', status: 403 });
    await expect(guest.lookupUsers(['alice'])).rejects.toMatchObject({ code: 'GUEST_FORBIDDEN' });
  });

  it('coffer invite, then coffer register --invitation CODE', async () => {
    const root = await mkdtemp(join(tmpdir(), 'coffer-guests-'));
    expect((await coffer(join(root, 'alice'), ['login', '--user', 'alice'])).code).toBe(0);
    const invited = await coffer(join(root, 'alice'), ['invite', '--note', 'for Cleo']);
    expect(invited.code).toBe(0);
    expect(invited.json).toEqual({ invitationCode: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/), expiresAt: expect.any(String) });
    const registered = await coffer(join(root, 'cleo'), ['register', '--user', 'cleo', '--invitation', invited.json.invitationCode]);
    expect(registered.code).toBe(0);
    expect(registered.json).toMatchObject({ userId: 'cleo', kind: 'guest' });
    const reused = await coffer(join(root, 'cleo2'), ['register', '--user', 'cleo2', '--invitation', invited.json.invitationCode]);
    expect(reused.code).toBe(2);
    expect(reused.json.error.code).toBe('INVALID_INVITATION');
    const guestInvites = await coffer(join(root, 'cleo'), ['invite']);
    expect(guestInvites.json.error.code).toBe('GUEST_FORBIDDEN');
    expect(guestInvites.code).not.toBe(0);
  });
});

import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type KdfCost,
  MIN_PRODUCTION_KDF,
  TEST_KDF,
  deriveUserKeys,
  fromBase64Url,
  importPrivateKey,
  newKdfParams,
  openPrivateKey,
  sealPrivateKey,
  toBase64Url,
  unwrapKey,
} from '../../shared/core/crypto/index.js';
import { readAuditEvents } from '../../shared/server/data/auditChain.js';
import type { StoredAuditEvent } from '../../shared/core/api/auditEvent.js';
import { keys } from '../../shared/server/data/keys.js';
import { changeCredentials, type UserCredentialsItem } from '../../shared/server/data/users.js';
import { Conflict } from '../../shared/core/errors/index.js';
import { verifyAuditLog } from '../../shared/server/audit/verifyAuditLog.js';
import { type Actor, register, upload } from '../helpers/actors.js';
import { api, type ApiResponse } from '../helpers/http.js';
import { type LocalStack, startLocalStack } from '../helpers/localStack.js';

/**
 * PUT /users/me/passphrase and PUT /users/me (issue 6, "user registration and changes, key-pair
 * and passphrase changes"): what each changes and what it leaves alone, who may do it (always the
 * caller, on its own account), the race between two changes, and the one audit event each request
 * appends, with nothing secret or personal in it. Through the real HTTP API on the local stack.
 */
let stack: LocalStack;
let url: string;
const UA = 'coffer-account-test/1.0';
/** Every secret a test handled: none may appear in an audit event. */
const secrets: string[] = [];

beforeAll(async () => {
  // Test-strength Argon2id for speed; the floor is switched on where a test checks it.
  stack = await startLocalStack();
  url = stack.url;
});

/** Runs `fn` with the server enforcing the production KDF floor, as in production. */
async function withKdfFloor<T>(fn: () => Promise<T>): Promise<T> {
  const settings = stack.deps.settings as { allowWeakKdf: boolean };
  settings.allowWeakKdf = false;
  try {
    return await fn();
  } finally {
    settings.allowWeakKdf = true;
  }
}
afterAll(() => stack?.stop());

async function newUser(userId: string, options: { invitationCode?: string } = {}): Promise<Actor> {
  const actor = await register(url, userId, TEST_KDF, options);
  secrets.push(actor.authKey, actor.passphrase, actor.accessToken, actor.refreshToken);
  return actor;
}

async function login(userId: string, authKey: string): Promise<ApiResponse> {
  return api(url, 'POST', '/auth/token', { body: { userId, authKey } });
}

/** The auth and encryption keys of `passphrase` under the account's current KDF parameters (as a client derives them). */
async function currentKeys(userId: string, passphrase: string) {
  const { kdf } = (await api(url, 'POST', '/auth/prelogin', { body: { userId } })).body;
  return deriveUserKeys(passphrase, kdf);
}

interface Change {
  body: { currentAuthKey: string; kdf: unknown; authKey: string; encryptedPrivateKey: string };
  passphrase: string;
  authKey: string;
}

/**
 * What a client sends to change `actor`'s passphrase: the current auth key, and the private key
 * (opened from the blob a login returns) sealed under the new passphrase's key.
 */
async function changeFor(actor: Actor, options: { cost?: KdfCost; currentAuthKey?: string } = {}): Promise<Change> {
  const passphrase = `new-${actor.userId}-${Math.random().toString(36).slice(2)}-lantern-orbit`;
  const current = await currentKeys(actor.userId, actor.passphrase);
  const session = await login(actor.userId, toBase64Url(current.authKey));
  expect(session.status).toBe(200);
  const pkcs8 = await openPrivateKey(fromBase64Url(session.body.encryptedPrivateKey), current.encryptionKey, actor.userId);
  const kdf = newKdfParams(options.cost ?? TEST_KDF);
  const next = await deriveUserKeys(passphrase, kdf);
  const sealed = toBase64Url(await sealPrivateKey(pkcs8, next.encryptionKey, actor.userId));
  const authKey = toBase64Url(next.authKey);
  secrets.push(passphrase, authKey, sealed, session.body.encryptedPrivateKey, session.body.accessToken, session.body.refreshToken);
  return {
    body: { currentAuthKey: options.currentAuthKey ?? actor.authKey, kdf, authKey, encryptedPrivateKey: sealed },
    passphrase,
    authKey,
  };
}

/** The account's stored credentials (to show a refused change left them alone). */
async function credentialsOf(userId: string) {
  return (await stack.deps.db.doc.send(new GetCommand({ TableName: stack.deps.db.table, Key: keys.userCredentials(userId), ConsistentRead: true }))).Item;
}

/** The events `action` appended. */
async function eventsOf(action: () => Promise<unknown>): Promise<StoredAuditEvent[]> {
  const before = new Set((await readAuditEvents(stack.deps.db)).map((e) => e.id));
  await action();
  return (await readAuditEvents(stack.deps.db)).filter((e) => !before.has(e.id));
}

/** One request, and the single event it must have appended (never holding a secret). */
async function oneEvent(method: string, path: string, options: { token: string; body?: unknown }): Promise<{ res: ApiResponse; event: StoredAuditEvent }> {
  let res!: ApiResponse;
  const events = await eventsOf(async () => {
    res = await api(url, method, path, { ...options, headers: { 'user-agent': UA } });
  });
  expect(events.map((e) => e.operation), JSON.stringify(res.body)).toHaveLength(1);
  const event = events[0]!;
  expect(event).toMatchObject({ method, path, userAgent: UA });
  expect(event.requestId).not.toBe('');
  const stored = JSON.stringify(event);
  for (const secret of [...secrets, options.token]) expect(stored).not.toContain(secret);
  return { res, event };
}

describe('PUT /users/me/passphrase', () => {
  it('changes the passphrase: the new one logs in, the old one no longer does, and the key pair is the same', async () => {
    const alice = await newUser('pw-alice');
    const bob = await newUser('pw-bob');
    // Shared before the change: bob wraps the document key for alice's public key.
    const doc = await upload(url, bob, new TextEncoder().encode('before the change'), 'before.txt', [alice]);
    const change = await changeFor(alice);

    const { res, event } = await oneEvent('PUT', '/users/me/passphrase', { token: alice.accessToken, body: change.body });
    expect(res.status, JSON.stringify(res.body)).toBe(204);
    expect(event).toMatchObject({
      operation: 'changePassphrase',
      category: 'user',
      actorKind: 'user',
      actorId: alice.userId,
      resourceKind: 'user',
      resourceId: alice.userId,
      outcome: 'success',
    });
    expect(event.errorCode).toBeUndefined();

    expect((await login(alice.userId, alice.authKey)).body.error.code).toBe('INVALID_CREDENTIALS');
    // Prelogin hands out the new parameters; they derive the new auth key.
    const derived = await currentKeys(alice.userId, change.passphrase);
    expect(toBase64Url(derived.authKey)).toBe(change.authKey);
    const session = await login(alice.userId, change.authKey);
    expect(session.status).toBe(200);
    expect(session.body.user.fingerprint).toBe(alice.fingerprint);

    // The blob opens under the new passphrase only, to the same private key: it still opens what was shared before.
    await expect(openPrivateKey(fromBase64Url(session.body.encryptedPrivateKey), (await deriveUserKeys(alice.passphrase, (await api(url, 'POST', '/auth/prelogin', { body: { userId: alice.userId } })).body.kdf)).encryptionKey, alice.userId)).rejects.toThrow();
    const privateKey = await importPrivateKey(await openPrivateKey(fromBase64Url(session.body.encryptedPrivateKey), derived.encryptionKey, alice.userId));
    const got = await api(url, 'GET', `/documents/${doc.documentId}`, { token: session.body.accessToken });
    expect(got.status).toBe(200);
    const dek = await unwrapKey(privateKey, fromBase64Url(got.body.wrappedKey), { kind: 'dek', resourceId: doc.documentId, generation: got.body.keyGeneration, recipientId: `u:${alice.userId}` });
    expect(dek).toEqual(doc.dek);
  });

  it("ends every session of the user: other sessions' refresh tokens are refused, a login after the change works", async () => {
    const carol = await newUser('pw-carol');
    const laptop = (await login(carol.userId, carol.authKey)).body;
    const phone = (await login(carol.userId, carol.authKey)).body;
    // A session rotated before the change is one of them too.
    const rotated = (await api(url, 'POST', '/auth/refresh', { body: { refreshToken: phone.refreshToken } })).body;
    const change = await changeFor(carol);
    expect((await api(url, 'PUT', '/users/me/passphrase', { token: laptop.accessToken, body: change.body })).status).toBe(204);

    for (const refreshToken of [carol.refreshToken, laptop.refreshToken, rotated.refreshToken]) {
      const res = await api(url, 'POST', '/auth/refresh', { body: { refreshToken } });
      expect(res.status).toBe(401);
      expect(res.body.error.code).toBe('SESSION_REVOKED');
    }
    const fresh = (await login(carol.userId, change.authKey)).body;
    const refreshed = await api(url, 'POST', '/auth/refresh', { body: { refreshToken: fresh.refreshToken } });
    expect(refreshed.status).toBe(200);
    // And the next change ends that one as well.
    const again = await changeFor({ ...carol, passphrase: change.passphrase, authKey: change.authKey });
    expect((await api(url, 'PUT', '/users/me/passphrase', { token: refreshed.body.accessToken, body: again.body })).status).toBe(204);
    expect((await api(url, 'POST', '/auth/refresh', { body: { refreshToken: refreshed.body.refreshToken } })).body.error.code).toBe('SESSION_REVOKED');
  });

  it('refuses a wrong current key with 401 INVALID_CREDENTIALS, exactly as a login does, and changes nothing', async () => {
    const dave = await newUser('pw-dave');
    const before = await credentialsOf(dave.userId);
    const change = await changeFor(dave, { currentAuthKey: toBase64Url(new Uint8Array(32).fill(7)) });

    const { res, event } = await oneEvent('PUT', '/users/me/passphrase', { token: dave.accessToken, body: change.body });
    expect(res.status).toBe(401);
    expect(res.body.error).toEqual({ code: 'INVALID_CREDENTIALS', message: 'Unknown user or wrong passphrase.' });
    expect(event).toMatchObject({ operation: 'changePassphrase', category: 'user', actorId: dave.userId, resourceKind: 'user', resourceId: dave.userId, outcome: 'failure', status: 401, errorCode: 'INVALID_CREDENTIALS' });

    expect(await credentialsOf(dave.userId)).toEqual(before);
    expect((await login(dave.userId, dave.authKey)).status).toBe(200);
    expect((await login(dave.userId, change.authKey)).status).toBe(401);
    expect((await api(url, 'POST', '/auth/refresh', { body: { refreshToken: dave.refreshToken } })).status).toBe(200);
  });

  it('refuses KDF parameters below the production floor with 400, and changes nothing', async () => {
    const erin = await newUser('pw-erin');
    const before = await credentialsOf(erin.userId);
    const change = await changeFor(erin, { cost: TEST_KDF });
    const { res, event } = await withKdfFloor(() => oneEvent('PUT', '/users/me/passphrase', { token: erin.accessToken, body: change.body }));
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('VALIDATION_FAILED');
    expect(res.body.error.message).toMatch(/Argon2id parameters are below the minimum/);
    expect(event).toMatchObject({ operation: 'changePassphrase', resourceId: erin.userId, outcome: 'failure', status: 400, errorCode: 'VALIDATION_FAILED' });
    expect(await credentialsOf(erin.userId)).toEqual(before);
    // At the floor it is accepted.
    const strong = await changeFor(erin, { cost: MIN_PRODUCTION_KDF });
    expect((await withKdfFloor(() => api(url, 'PUT', '/users/me/passphrase', { token: erin.accessToken, body: strong.body }))).status).toBe(204);
  });

  it('refuses a malformed body (unknown fields, a user id) with 400 and records the refusal on the caller', async () => {
    const frank = await newUser('pw-frank');
    const change = await changeFor(frank);
    const { res, event } = await oneEvent('PUT', '/users/me/passphrase', { token: frank.accessToken, body: { ...change.body, userId: 'pw-alice' } });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('VALIDATION_FAILED');
    expect(event).toMatchObject({ actorId: frank.userId, resourceKind: 'user', resourceId: frank.userId, outcome: 'failure', errorCode: 'VALIDATION_FAILED' });
    expect((await login(frank.userId, frank.authKey)).status).toBe(200);
  });

  it('acts on the caller only: another user\'s token cannot change anyone else, whatever the body holds', async () => {
    const grace = await newUser('pw-grace');
    const mallory = await newUser('pw-mallory');
    const graceBefore = await credentialsOf(grace.userId);
    const malloryBefore = await credentialsOf(mallory.userId);
    // Mallory knows grace's auth key (say, from a phished device) but holds only her own token.
    const change = await changeFor(grace);
    const { res, event } = await oneEvent('PUT', '/users/me/passphrase', { token: mallory.accessToken, body: change.body });
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('INVALID_CREDENTIALS');
    expect(event).toMatchObject({ actorId: mallory.userId, resourceId: mallory.userId, outcome: 'failure', errorCode: 'INVALID_CREDENTIALS' });
    expect(await credentialsOf(grace.userId)).toEqual(graceBefore);
    expect(await credentialsOf(mallory.userId)).toEqual(malloryBefore);

    // With her own current key it changes her own account, never grace's (the sealed blob bound to grace's id is simply stored as hers).
    const own = await changeFor(mallory);
    expect((await api(url, 'PUT', '/users/me/passphrase', { token: mallory.accessToken, body: own.body })).status).toBe(204);
    expect(await credentialsOf(grace.userId)).toEqual(graceBefore);
    expect((await login(grace.userId, grace.authKey)).status).toBe(200);
    expect((await login(mallory.userId, own.authKey)).status).toBe(200);
  }, 20_000);

  it('lets exactly one of several concurrent changes win; the others are refused, each with its one event', async () => {
    const heidi = await newUser('pw-heidi');
    const changes = await Promise.all(Array.from({ length: 5 }, () => changeFor(heidi)));
    let results!: ApiResponse[];
    const events = await eventsOf(async () => {
      results = await Promise.all(changes.map((c) => api(url, 'PUT', '/users/me/passphrase', { token: heidi.accessToken, body: c.body })));
    });
    // A loser that read the credentials before the winner wrote is 409 PASSPHRASE_CHANGED (the
    // guard); one that read them after holds a current key that is no longer current: 401.
    expect(results.filter((r) => r.status === 204)).toHaveLength(1);
    for (const r of results.filter((x) => x.status !== 204)) {
      expect([`409 PASSPHRASE_CHANGED`, `401 INVALID_CREDENTIALS`]).toContain(`${r.status} ${r.body.error.code}`);
    }
    const winner = changes[results.findIndex((r) => r.status === 204)]!;
    for (const c of changes) expect((await login(heidi.userId, c.authKey)).status).toBe(c === winner ? 200 : 401);
    expect((await login(heidi.userId, heidi.authKey)).status).toBe(401);

    expect(events.filter((e) => e.operation === 'changePassphrase')).toHaveLength(5);
    expect(events.filter((e) => e.outcome === 'success')).toHaveLength(1);
    expect(events.filter((e) => e.outcome === 'failure').map((e) => e.errorCode).sort()).toEqual(
      results.filter((r) => r.status !== 204).map((r) => r.body.error.code).sort(),
    );
    for (const e of events) expect(e).toMatchObject({ category: 'user', actorId: heidi.userId, resourceId: heidi.userId });
  });

  it('guards the write on the verifier it checked: a change computed from stale credentials is 409 PASSPHRASE_CHANGED and applies nothing', async () => {
    const kate = await newUser('pw-kate');
    const stale = (await credentialsOf(kate.userId)) as UserCredentialsItem;
    const change = await changeFor(kate);
    expect((await api(url, 'PUT', '/users/me/passphrase', { token: kate.accessToken, body: change.body })).status).toBe(204);
    const after = await credentialsOf(kate.userId);
    const next = { kdf: stale.kdf, verifier: stale.verifier, privateKeyBlob: stale.privateKeyBlob };
    const refused = await changeCredentials(stack.deps.db, stale, next, new Date().toISOString()).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(Conflict);
    expect(refused).toMatchObject({ code: 'PASSPHRASE_CHANGED' });
    expect(await credentialsOf(kate.userId)).toEqual(after);
  });

  it('lets a guest change their own passphrase', async () => {
    const ivan = await newUser('pw-ivan');
    const invitation = await api(url, 'POST', '/invitations', { token: ivan.accessToken, body: {} });
    const guest = await newUser('pw-guest', { invitationCode: invitation.body.invitationCode });
    const change = await changeFor(guest);
    const { res, event } = await oneEvent('PUT', '/users/me/passphrase', { token: guest.accessToken, body: change.body });
    expect(res.status).toBe(204);
    expect(event).toMatchObject({ operation: 'changePassphrase', actorKind: 'guest', actorId: guest.userId, resourceId: guest.userId, outcome: 'success' });
    expect((await login(guest.userId, change.authKey)).body.user.kind).toBe('guest');
  });

  it('needs a bearer token (a request without one records nothing)', async () => {
    const judy = await newUser('pw-judy');
    const change = await changeFor(judy);
    const events = await eventsOf(async () => {
      const res = await api(url, 'PUT', '/users/me/passphrase', { body: change.body });
      expect(res.status).toBe(401);
      expect(res.body.error.code).toBe('MISSING_TOKEN');
    });
    expect(events).toEqual([]);
  });
});

describe('PUT /users/me', () => {
  it('changes the name and e-mail; the event names the fields, never their values', async () => {
    const kim = await newUser('pf-kim');
    const { res, event } = await oneEvent('PUT', '/users/me', { token: kim.accessToken, body: { name: 'Kimberly Quartermain', email: 'kim.q@example.org' } });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({ userId: kim.userId, name: 'Kimberly Quartermain', email: 'kim.q@example.org', fingerprint: kim.fingerprint, kind: 'member' });
    expect(event).toMatchObject({
      operation: 'updateProfile',
      category: 'user',
      actorKind: 'user',
      actorId: kim.userId,
      resourceKind: 'user',
      resourceId: kim.userId,
      outcome: 'success',
      details: { fields: 'email,name' },
    });
    const stored = JSON.stringify(event);
    expect(stored).not.toContain('Quartermain');
    expect(stored).not.toContain('kim.q@');

    expect((await api(url, 'GET', '/users/me', { token: kim.accessToken })).body).toMatchObject({ name: 'Kimberly Quartermain', email: 'kim.q@example.org' });
    const other = await newUser('pf-lee');
    const seen = await api(url, 'GET', `/users?ids=${kim.userId}`, { token: other.accessToken });
    expect(seen.body.users[0]).toMatchObject({ userId: kim.userId, name: 'Kimberly Quartermain' });
    expect(seen.body.users[0]).not.toHaveProperty('email');
  });

  it('sets a designation and removes the e-mail with null; the rest stays', async () => {
    const max = await newUser('pf-max');
    await api(url, 'PUT', '/users/me', { token: max.accessToken, body: { email: 'max@example.org' } });
    const { res, event } = await oneEvent('PUT', '/users/me', { token: max.accessToken, body: { email: null, designation: 'Auditor' } });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ name: `User ${max.userId}`, designation: 'Auditor' });
    expect(res.body).not.toHaveProperty('email');
    expect(event.details).toEqual({ fields: 'designation,email' });
  });

  it('refuses an empty change, unknown fields (a user id, a public key) and bad values with 400, recording the refusal', async () => {
    const ned = await newUser('pf-ned');
    const before = (await api(url, 'GET', '/users/me', { token: ned.accessToken })).body;
    for (const body of [{}, { userId: 'pf-kim', name: 'X' }, { publicKey: 'AAAA' }, { name: '   ' }, { email: 'not-an-address' }, { name: null }]) {
      const { res, event } = await oneEvent('PUT', '/users/me', { token: ned.accessToken, body });
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error.code).toBe('VALIDATION_FAILED');
      expect(event).toMatchObject({ operation: 'updateProfile', actorId: ned.userId, resourceKind: 'user', resourceId: ned.userId, outcome: 'failure', status: 400, errorCode: 'VALIDATION_FAILED' });
      expect(event.details).toBeUndefined();
    }
    expect((await api(url, 'GET', '/users/me', { token: ned.accessToken })).body).toEqual(before);
  });

  it("changes only the caller's own profile, a guest's too", async () => {
    const olga = await newUser('pf-olga');
    const invitation = await api(url, 'POST', '/invitations', { token: olga.accessToken, body: {} });
    const guest = await newUser('pf-guest', { invitationCode: invitation.body.invitationCode });
    const olgaBefore = (await api(url, 'GET', '/users/me', { token: olga.accessToken })).body;
    const { res, event } = await oneEvent('PUT', '/users/me', { token: guest.accessToken, body: { name: 'Visiting Auditor' } });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ userId: guest.userId, name: 'Visiting Auditor', kind: 'guest' });
    expect(event).toMatchObject({ actorKind: 'guest', actorId: guest.userId, resourceId: guest.userId, details: { fields: 'name' } });
    expect((await api(url, 'GET', '/users/me', { token: olga.accessToken })).body).toEqual(olgaBefore);
  });
});

describe('the log these changes wrote', () => {
  it('still verifies', async () => {
    const report = await verifyAuditLog(stack.deps);
    expect(report.findings).toEqual([]);
  });
});

import { CofferClient } from '../../client/sdk/CofferClient.js';
import { MemoryKeyPinStore } from '../../client/sdk/KeyPinStore.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  TEST_KDF,
  fingerprint,
  generateGroupKeyPair,
  generateGroupSecret,
  sealGroupPrivateKey,
  toBase64Url,
  wrapKey,
  wrapKeyUnderKey,
} from '../../shared/core/crypto/index.js';
import { readAuditEvents } from '../../shared/server/data/auditChain.js';
import type { StoredAuditEvent } from '../../shared/core/api/auditEvent.js';
import { verifyAuditLog } from '../../shared/server/audit/verifyAuditLog.js';
import { type Actor, newDocumentId, register, shareGrant, upload } from '../helpers/actors.js';
import { childLabel, type FolderHandle, mkdir } from '../helpers/folders.js';
import { api, type ApiResponse } from '../helpers/http.js';
import { type LocalStack, startLocalStack } from '../helpers/localStack.js';

/**
 * Issue 6, "Events": each audited action appends exactly one event, with its actor, action,
 * resource, outcome (and failure reason), source IP, user agent and request id; a refused action
 * records its refusal; nothing secret is ever in an event. Through the real HTTP API on the local
 * stack, reading the chains back from DynamoDB Local.
 */
let stack: LocalStack;
let url: string;
let alice: Actor;
let bob: Actor;
const UA = 'coffer-audit-test/1.0';

beforeAll(async () => {
  stack = await startLocalStack();
  url = stack.url;
  alice = await register(url, 'audit-alice');
  bob = await register(url, 'audit-bob');
});
afterAll(() => stack?.stop());

const P = (a: Actor) => `u:${a.userId}`;

/** The events `action` appended (diffed by id against the log before it). */
async function eventsOf(action: () => Promise<unknown>): Promise<StoredAuditEvent[]> {
  const before = new Set((await readAuditEvents(stack.deps.db)).map((e) => e.id));
  await action();
  return (await readAuditEvents(stack.deps.db)).filter((e) => !before.has(e.id));
}

/** Runs one request and returns its response and the single event it must have appended. */
async function oneEvent(method: string, path: string, options: { token?: string; body?: unknown } = {}): Promise<{ res: ApiResponse; event: StoredAuditEvent }> {
  let res!: ApiResponse;
  const events = await eventsOf(async () => {
    res = await api(url, method, path, { ...options, headers: { 'user-agent': UA } });
  });
  expect(events.map((e) => e.operation), JSON.stringify(res.body)).toHaveLength(1);
  const event = events[0]!;
  // Every event: where it came from and which request, and never anything secret.
  expect(event.requestId).not.toBe('');
  expect(event.sourceIp).not.toBe('');
  expect(event.userAgent).toBe(UA);
  expect(event.method).toBe(method);
  expect(Date.parse(event.at)).not.toBeNaN();
  const stored = JSON.stringify(event);
  for (const secret of [alice.accessToken, alice.refreshToken, alice.authKey, alice.passphrase, bob.accessToken, bob.refreshToken, bob.authKey, bob.passphrase]) {
    expect(stored).not.toContain(secret);
  }
  if (options.token) expect(stored).not.toContain(options.token);
  return { res, event };
}

describe('authentication', () => {
  it('a login records its success as the user, and a failure with its reason', async () => {
    const ok = await oneEvent('POST', '/auth/token', { body: { userId: alice.userId, authKey: alice.authKey } });
    expect(ok.res.status).toBe(200);
    expect(ok.event).toMatchObject({ operation: 'token', category: 'auth', actorKind: 'user', actorId: alice.userId, resourceKind: 'user', resourceId: alice.userId, outcome: 'success' });
    expect(JSON.stringify(ok.event)).not.toContain(ok.res.body.accessToken);

    const wrong = await oneEvent('POST', '/auth/token', { body: { userId: alice.userId, authKey: toBase64Url(new Uint8Array(32)) } });
    expect(wrong.res.status).toBe(401);
    expect(wrong.event).toMatchObject({ operation: 'token', actorId: alice.userId, resourceId: alice.userId, outcome: 'failure', status: 401, errorCode: 'INVALID_CREDENTIALS' });

    const unknown = await oneEvent('POST', '/auth/token', { body: { userId: 'nobody-here', authKey: alice.authKey } });
    expect(unknown.event).toMatchObject({ actorKind: 'anonymous', actorId: '', resourceId: 'nobody-here', outcome: 'failure', errorCode: 'INVALID_CREDENTIALS' });
  });

  it('a refresh records the user; a reused refresh token records the refusal once, with the family revoked in it', async () => {
    const login = await api(url, 'POST', '/auth/token', { body: { userId: bob.userId, authKey: bob.authKey } });
    const first = await oneEvent('POST', '/auth/refresh', { body: { refreshToken: login.body.refreshToken } });
    expect(first.res.status).toBe(200);
    expect(first.event).toMatchObject({ operation: 'refresh', actorKind: 'user', actorId: bob.userId, outcome: 'success' });
    expect(JSON.stringify(first.event)).not.toContain(login.body.refreshToken);

    const replay = await oneEvent('POST', '/auth/refresh', { body: { refreshToken: login.body.refreshToken } });
    expect(replay.res.status).toBe(401);
    expect(replay.event).toMatchObject({ operation: 'refresh', actorId: bob.userId, outcome: 'failure', status: 401, errorCode: 'REFRESH_TOKEN_REUSED' });
    // The rotated token died with its family.
    expect((await api(url, 'POST', '/auth/refresh', { body: { refreshToken: first.res.body.refreshToken } })).status).toBe(401);
  });

  it('a logout records the user', async () => {
    const login = await api(url, 'POST', '/auth/token', { body: { userId: bob.userId, authKey: bob.authKey } });
    const out = await oneEvent('POST', '/auth/logout', { token: login.body.accessToken, body: { refreshToken: login.body.refreshToken } });
    expect(out.res.status).toBe(204);
    expect(out.event).toMatchObject({ operation: 'logout', category: 'auth', actorId: bob.userId, resourceId: bob.userId, outcome: 'success' });
  });

  it('registration records the new account as actor and resource', async () => {
    const events = await eventsOf(() => register(url, 'audit-carol'));
    expect(events.map((e) => e.operation)).toEqual(['register', 'token']);
    expect(events[0]).toMatchObject({ category: 'user', actorKind: 'user', actorId: 'audit-carol', resourceKind: 'user', resourceId: 'audit-carol', outcome: 'success' });
  });

  it('an invitation records its member', async () => {
    const { res, event } = await oneEvent('POST', '/invitations', { token: alice.accessToken, body: {} });
    expect(res.status).toBe(201);
    expect(event).toMatchObject({ operation: 'createInvitation', actorId: alice.userId, outcome: 'success' });
    expect(JSON.stringify(event)).not.toContain(res.body.invitationCode);
  });
});

describe('documents and sharing', () => {
  it('an upload records its create and its completion, each once, on the document', async () => {
    let documentId = '';
    const events = await eventsOf(async () => {
      documentId = (await upload(url, alice, new TextEncoder().encode('quarterly numbers'), 'q3-secret-name.xlsx')).documentId;
    });
    expect(events.map((e) => e.operation)).toEqual(['createDocument', 'completeDocument']);
    for (const e of events) expect(e).toMatchObject({ category: 'content', actorId: alice.userId, resourceKind: 'node', resourceId: documentId, outcome: 'success' });
    expect(JSON.stringify(events)).not.toContain('q3-secret-name');
  });

  it('a download URL issued is an access event; a refused one (another user: BOLA) records the refusal', async () => {
    const doc = await upload(url, alice, new TextEncoder().encode('x'), 'a');
    const got = await oneEvent('GET', `/documents/${doc.documentId}`, { token: alice.accessToken });
    expect(got.res.status).toBe(200);
    expect(got.event).toMatchObject({ operation: 'getDocument', category: 'access', actorId: alice.userId, resourceId: doc.documentId, targets: { id: doc.documentId }, outcome: 'success', status: 200 });
    expect(JSON.stringify(got.event)).not.toContain(got.res.body.download.url);

    const refused = await oneEvent('GET', `/documents/${doc.documentId}`, { token: bob.accessToken });
    expect(refused.res.status).toBe(404);
    expect(refused.event).toMatchObject({ operation: 'getDocument', actorId: bob.userId, resourceId: doc.documentId, outcome: 'failure', status: 404, errorCode: refused.res.body.error.code });
  });

  it('share, role change, revoke and ownership transfer are permission events naming the principals', async () => {
    const doc = await upload(url, alice, new TextEncoder().encode('x'), 'a');
    const share = await oneEvent('POST', `/nodes/${doc.documentId}/share`, {
      token: alice.accessToken,
      body: { keyGeneration: 1, grants: [await shareGrant(bob, doc.documentId, doc.dek, 'viewer')] },
    });
    expect(share.res.status, JSON.stringify(share.res.body)).toBe(200);
    expect(share.event).toMatchObject({ operation: 'shareNode', category: 'permission', actorId: alice.userId, resourceId: doc.documentId, targets: { principals: `${P(bob)}:viewer` }, outcome: 'success' });

    const role = await oneEvent('PUT', `/nodes/${doc.documentId}/grants/${P(bob)}`, { token: alice.accessToken, body: { role: 'editor' } });
    expect(role.res.status, JSON.stringify(role.res.body)).toBe(200);
    expect(role.event).toMatchObject({ operation: 'changeGrant', category: 'permission', targets: { id: doc.documentId, principalId: P(bob) }, details: { role: 'editor' } });

    const transfer = await oneEvent('POST', `/nodes/${doc.documentId}/transfer`, { token: alice.accessToken, body: { newOwnerId: bob.userId } });
    expect(transfer.res.status, JSON.stringify(transfer.res.body)).toBe(200);
    expect(transfer.event).toMatchObject({ operation: 'transferOwnership', category: 'permission', targets: { newOwnerId: bob.userId }, outcome: 'success' });

    const revoke = await oneEvent('POST', `/nodes/${doc.documentId}/revoke`, { token: bob.accessToken, body: { principalIds: [P(alice)] } });
    expect(revoke.res.status, JSON.stringify(revoke.res.body)).toBe(200);
    expect(revoke.event).toMatchObject({ operation: 'revokeNode', actorId: bob.userId, resourceId: doc.documentId, targets: { principals: P(alice) }, outcome: 'success' });
  });

  it('a refused share (no authority) records its refusal and changes nothing', async () => {
    const doc = await upload(url, alice, new TextEncoder().encode('x'), 'a');
    const { res, event } = await oneEvent('POST', `/nodes/${doc.documentId}/share`, {
      token: bob.accessToken,
      body: { keyGeneration: 1, grants: [await shareGrant(bob, doc.documentId, doc.dek, 'viewer')] },
    });
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(event).toMatchObject({ operation: 'shareNode', actorId: bob.userId, outcome: 'failure', status: res.status, errorCode: res.body.error.code });
  });

  it('settings and delete are recorded on the document', async () => {
    const doc = await upload(url, alice, new TextEncoder().encode('x'), 'a');
    const settings = await oneEvent('PUT', `/nodes/${doc.documentId}/settings`, { token: alice.accessToken, body: { keepVersions: 3 } });
    expect(settings.res.status, JSON.stringify(settings.res.body)).toBe(200);
    expect(settings.event).toMatchObject({ operation: 'changeSettings', category: 'permission', details: { keepVersions: 3 } });
    const del = await oneEvent('DELETE', `/documents/${doc.documentId}`, { token: alice.accessToken });
    expect(del.res.status).toBeLessThan(300);
    expect(del.event).toMatchObject({ operation: 'deleteDocument', category: 'content', resourceId: doc.documentId, outcome: 'success' });
  });

  it('input refused by validation is recorded as a failure', async () => {
    const { res, event } = await oneEvent('POST', '/documents', { token: alice.accessToken, body: { nonsense: true } });
    expect(res.status).toBe(400);
    expect(event).toMatchObject({ operation: 'createDocument', actorId: alice.userId, outcome: 'failure', status: 400, errorCode: 'VALIDATION_FAILED' });
  });

  it('listings are not audited', async () => {
    const events = await eventsOf(() => api(url, 'GET', '/documents', { token: alice.accessToken }));
    expect(events).toEqual([]);
  });
});

describe('folders', () => {
  it('creating a folder, moving a folder into it and deleting it are one event each', async () => {
    let a!: FolderHandle;
    const made = await eventsOf(async () => {
      a = await mkdir(url, alice, 'Board papers');
    });
    expect(made.map((e) => e.operation)).toEqual(['createFolder']);
    expect(made[0]).toMatchObject({ category: 'content', resourceKind: 'node', resourceId: a.folderId, actorId: alice.userId, outcome: 'success' });
    expect(JSON.stringify(made)).not.toContain('Board papers');

    const b = await mkdir(url, alice, 'Archive');
    const moved = await oneEvent('POST', `/nodes/${b.folderId}/move`, {
      token: alice.accessToken,
      body: { parentId: a.folderId, parentWrap: await wrapKeyUnderKey(a.key, b.key, childLabel(b.folderId, 1, a.folderId, 1)), parentKeyGeneration: 1 },
    });
    expect(moved.res.status, JSON.stringify(moved.res.body)).toBe(200);
    expect(moved.event).toMatchObject({ operation: 'moveNode', category: 'permission', resourceId: b.folderId, targets: { id: b.folderId, parentId: a.folderId }, outcome: 'success' });

    const removed = await oneEvent('DELETE', `/folders/${a.folderId}`, { token: alice.accessToken });
    expect(removed.res.status).toBeLessThan(300);
    expect(removed.event).toMatchObject({ operation: 'deleteFolder', category: 'content', resourceId: a.folderId, outcome: 'success' });
  });
});

describe('groups', () => {
  it('create, add a member, change a role and rename: one group event each', async () => {
    const groupId = newDocumentId();
    const pair = await generateGroupKeyPair();
    const secret = generateGroupSecret();
    const label = (recipientId: string) => ({ kind: 'group', resourceId: groupId, generation: 1, recipientId }) as const;
    const created = await oneEvent('POST', '/groups', {
      token: alice.accessToken,
      body: {
        groupId,
        name: 'Finance',
        publicKey: toBase64Url(pair.publicKeySpki),
        fingerprint: await fingerprint(pair.publicKeySpki),
        sealedPrivateKey: await sealGroupPrivateKey(secret, pair.privateKeyPkcs8, { groupId, generation: 1 }),
        keyGeneration: 1,
        creatorWrappedSecret: toBase64Url(await wrapKey(alice.publicKey, secret, label(P(alice)))),
      },
    });
    expect(created.res.status, JSON.stringify(created.res.body)).toBe(201);
    expect(created.event).toMatchObject({ operation: 'createGroup', category: 'group', resourceKind: 'group', resourceId: groupId, actorId: alice.userId });
    expect(JSON.stringify(created.event)).not.toContain('Finance');

    const added = await oneEvent('POST', `/groups/${groupId}/members`, {
      token: alice.accessToken,
      body: {
        members: [
          { principalId: P(bob), role: 'member', wrappedSecret: toBase64Url(await wrapKey(bob.publicKey, secret, label(P(bob)))), keyGeneration: 1, fingerprint: bob.fingerprint },
        ],
      },
    });
    expect(added.res.status, JSON.stringify(added.res.body)).toBe(200);
    expect(added.event).toMatchObject({ operation: 'addMembers', resourceKind: 'group', resourceId: groupId, targets: { principals: `${P(bob)}:member` } });

    const role = await oneEvent('PUT', `/groups/${groupId}/members/${P(bob)}`, { token: alice.accessToken, body: { role: 'admin' } });
    expect(role.res.status, JSON.stringify(role.res.body)).toBe(200);
    expect(role.event).toMatchObject({ operation: 'changeMemberRole', targets: { id: groupId, principalId: P(bob) }, details: { role: 'admin' } });

    const renamed = await oneEvent('PUT', `/groups/${groupId}/name`, { token: alice.accessToken, body: { name: 'Finance EMEA' } });
    expect(renamed.res.status, JSON.stringify(renamed.res.body)).toBe(200);
    expect(renamed.event).toMatchObject({ operation: 'renameGroup', resourceId: groupId, outcome: 'success' });
    expect(JSON.stringify(renamed.event)).not.toContain('EMEA');
  });
});

describe('versions, restore and rotation (through the SDK)', () => {
  it('a new version, a restore (naming the version restored) and a key rotation are one event each', async () => {
    const client = new CofferClient({ serverUrl: url, pinStore: new MemoryKeyPinStore(), tuning: { allowWeakKdf: true } });
    await client.register({ userId: 'audit-vera', name: 'Vera', passphrase: 'audit-vera-versions-client-passphrase', kdf: TEST_KDF });
    const { documentId } = await client.upload(new TextEncoder().encode('v1'), { name: 'plan.txt' });

    const uploaded = await eventsOf(() => client.uploadVersion(documentId, new TextEncoder().encode('v2')));
    expect(uploaded.filter((e) => e.category === 'content').map((e) => e.operation)).toEqual(['createVersion', 'completeVersion']);
    for (const e of uploaded) expect(e).toMatchObject({ actorId: 'audit-vera', resourceId: documentId, outcome: 'success' });

    const restored = await eventsOf(() => client.restoreVersion(documentId, 1));
    const content = restored.filter((e) => e.category === 'content');
    expect(content.map((e) => e.operation)).toEqual(['createVersion', 'completeVersion']);
    expect(content[0]).toMatchObject({ details: { restoredFrom: 1 }, resourceId: documentId });
    // Reading version 1 back is itself an access event.
    expect(restored.filter((e) => e.category === 'access').length).toBeGreaterThanOrEqual(1);

    const rotated = await eventsOf(() => client.rotate(documentId, { keyOnly: true }));
    expect(rotated.filter((e) => e.operation === 'rotateDocumentKey')).toHaveLength(1);
    expect(rotated.find((e) => e.operation === 'rotateDocumentKey')).toMatchObject({ category: 'content', resourceId: documentId, outcome: 'success' });
  });
});

describe('the log these actions wrote', () => {
  it('still verifies', async () => {
    const report = await verifyAuditLog(stack.deps);
    expect(report.findings).toEqual([]);
    expect(report.ok).toBe(true);
  });
});

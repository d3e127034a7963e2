import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CliIo } from '../../client/cli/io.js';
import { run } from '../../client/cli/program.js';
import { CofferClient } from '../../client/sdk/CofferClient.js';
import { GroupKeyring } from '../../client/sdk/GroupKeyring.js';
import { MemoryKeyPinStore } from '../../client/sdk/KeyPinStore.js';
import {
  TEST_KDF,
  deriveUserKeys,
  fingerprint,
  generateDataKey,
  generateGroupKeyPair,
  generateGroupSecret,
  generateUserKeyPair,
  newKdfParams,
  openGroupPrivateKey,
  sealGroupPrivateKey,
  sealPrivateKey,
  toBase64Url,
  unwrapKey,
  unwrapKeyUnderKey,
  wrapKey,
  wrapKeyUnderKey,
  type GroupKeyPair,
  type UserKeyPair,
} from '../../shared/core/crypto/index.js';
import { indexKeys, keys } from '../../shared/server/data/keys.js';
import type { KeyringGroup } from '../../shared/core/api/schemas/groups.js';
import { type Actor, newDocumentId, register } from '../helpers/actors.js';
import { api, type ApiResponse } from '../helpers/http.js';
import { type LocalStack, startLocalStack } from '../helpers/localStack.js';

/**
 * Groups against the real local stack (DynamoDB Local), with real keys: every wrap, seal and
 * chain link is made here the way a client makes it, and every assertion about "who can read"
 * is an actual unwrap.
 */

let stack: LocalStack;
let url: string;
let alice: Actor, bob: Actor, carol: Actor, dave: Actor, erin: Actor, mallory: Actor, gina: Actor;

const b64 = toBase64Url;
const bytesOf = (s: string) => new Uint8Array(Buffer.from(s, 'base64url'));
const P = (a: { userId: string }) => `u:${a.userId}`;

/** What this test holds for a group: every generation's secret and key pair (as its admins' clients would). */
interface TestGroup {
  groupId: string;
  gen: number;
  secrets: Map<number, Uint8Array>;
  pairs: Map<number, GroupKeyPair>;
}
const G = (g: TestGroup) => `g:${g.groupId}`;

/** Public keys of every principal the tests wrap for: actors, bulk users and groups (current key). */
const userKeys = new Map<string, { publicKey: CryptoKey; fingerprint: string }>();
const groupsById = new Map<string, TestGroup>();

async function keyOf(principalId: string): Promise<{ publicKey: CryptoKey; fingerprint: string }> {
  if (principalId.startsWith('u:')) return userKeys.get(principalId.slice(2))!;
  const g = groupsById.get(principalId.slice(2))!;
  const pair = g.pairs.get(g.gen)!;
  return { publicKey: pair.publicKey, fingerprint: await fingerprint(pair.publicKeySpki) };
}

const groupLabel = (groupId: string, generation: number, recipientId: string) => ({ kind: 'group', resourceId: groupId, generation, recipientId }) as const;

async function createBody(owner: Actor, name = 'Engineering') {
  const groupId = newDocumentId();
  const pair = await generateGroupKeyPair();
  const secret = generateGroupSecret();
  const body = {
    groupId,
    name,
    publicKey: b64(pair.publicKeySpki),
    fingerprint: await fingerprint(pair.publicKeySpki),
    sealedPrivateKey: await sealGroupPrivateKey(secret, pair.privateKeyPkcs8, { groupId, generation: 1 }),
    keyGeneration: 1,
    creatorWrappedSecret: b64(await wrapKey(owner.publicKey, secret, groupLabel(groupId, 1, P(owner)))),
  };
  return { body, group: { groupId, gen: 1, secrets: new Map([[1, secret]]), pairs: new Map([[1, pair]]) } as TestGroup };
}

async function newGroup(owner: Actor, name = 'Engineering'): Promise<TestGroup> {
  const { body, group } = await createBody(owner, name);
  const res = await api(url, 'POST', '/groups', { token: owner.accessToken, body });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  groupsById.set(group.groupId, group);
  return group;
}

async function memberEntry(g: TestGroup, principalId: string, role: 'admin' | 'member' = 'member') {
  const { publicKey, fingerprint: fp } = await keyOf(principalId);
  const wrapped = await wrapKey(publicKey, g.secrets.get(g.gen)!, groupLabel(g.groupId, g.gen, principalId));
  return { principalId, role, wrappedSecret: b64(wrapped), keyGeneration: g.gen, fingerprint: fp };
}

async function add(by: Actor, g: TestGroup, principalIds: string[], role: 'admin' | 'member' = 'member'): Promise<ApiResponse> {
  const members = await Promise.all(principalIds.map((p) => memberEntry(g, p, role)));
  return api(url, 'POST', `/groups/${g.groupId}/members`, { token: by.accessToken, body: { members } });
}

async function mustAdd(by: Actor, g: TestGroup, principalIds: string[], role: 'admin' | 'member' = 'member') {
  for (let i = 0; i < principalIds.length; i += 25) {
    const res = await add(by, g, principalIds.slice(i, i + 25), role);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
  }
}

interface Rotation {
  keyGeneration: number;
  publicKey: string;
  fingerprint: string;
  sealedPrivateKey: string;
  chainWrap: string;
  wraps: { principalId: string; wrappedSecret: string }[];
  pair: GroupKeyPair;
  secret: Uint8Array;
}

/** A rotation as a client makes it: new pair and secret, wraps for `remaining`, the old secret chained. */
async function rotation(g: TestGroup, remaining: string[]): Promise<Rotation> {
  const next = g.gen + 1;
  const pair = await generateGroupKeyPair();
  const secret = generateGroupSecret();
  const wraps = await Promise.all(
    remaining.map(async (principalId) => {
      const { publicKey } = await keyOf(principalId);
      return { principalId, wrappedSecret: b64(await wrapKey(publicKey, secret, groupLabel(g.groupId, next, principalId))) };
    }),
  );
  return {
    keyGeneration: next,
    publicKey: b64(pair.publicKeySpki),
    fingerprint: await fingerprint(pair.publicKeySpki),
    sealedPrivateKey: await sealGroupPrivateKey(secret, pair.privateKeyPkcs8, { groupId: g.groupId, generation: next }),
    chainWrap: await wrapKeyUnderKey(secret, g.secrets.get(g.gen)!, {
      kind: 'group-chain',
      resourceId: g.groupId,
      generation: g.gen,
      parentId: g.groupId,
      parentGeneration: next,
    }),
    wraps,
    pair,
    secret,
  };
}

const rotationBody = (r: Rotation, wraps = r.wraps, commit = true) => ({
  keyGeneration: r.keyGeneration,
  publicKey: r.publicKey,
  fingerprint: r.fingerprint,
  sealedPrivateKey: r.sealedPrivateKey,
  chainWrap: r.chainWrap,
  wraps,
  commit,
});

async function memberIds(g: TestGroup): Promise<string[]> {
  const members: { principalId: string }[] = [];
  const out = await stack.deps.db.doc.send(
    new QueryCommand({
      TableName: stack.table,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :m)',
      ExpressionAttributeValues: { ':pk': `GROUP#${g.groupId}`, ':m': 'MEMBER#' },
      ConsistentRead: true,
    }),
  );
  members.push(...((out.Items ?? []) as { principalId: string }[]));
  return members.map((m) => m.principalId);
}

/** Remove `removed` with a full rotation; on success the test's group moves to the new generation. */
async function remove(by: Actor, g: TestGroup, removed: string[]): Promise<ApiResponse> {
  const remaining = (await memberIds(g)).filter((p) => !removed.includes(p));
  const r = await rotation(g, remaining);
  const res = await api(url, 'POST', `/groups/${g.groupId}/members/remove`, {
    token: by.accessToken,
    body: { principalIds: removed, rotation: rotationBody(r) },
  });
  if (res.status === 200) advance(g, r);
  return res;
}

function advance(g: TestGroup, r: Rotation) {
  g.gen = r.keyGeneration;
  g.secrets.set(r.keyGeneration, r.secret);
  g.pairs.set(r.keyGeneration, r.pair);
}

async function item(key: { pk: string; sk: string }): Promise<Record<string, any> | undefined> {
  return (await stack.deps.db.doc.send(new GetCommand({ TableName: stack.table, Key: key, ConsistentRead: true }))).Item;
}

async function principalSet(a: { userId: string }): Promise<Record<string, string>> {
  return (await item(keys.principalSet(a.userId)))?.groups ?? {};
}

async function supergroups(g: TestGroup): Promise<Record<string, string>> {
  return (await item(keys.groupMeta(g.groupId)))!.supergroups;
}

async function keyringOf(a: Actor): Promise<GroupKeyring> {
  const res = await api(url, 'GET', '/groups', { token: a.accessToken });
  expect(res.status).toBe(200);
  return new GroupKeyring(a.userId, a.privateKey, res.body.groups as KeyringGroup[]);
}

/** A grant made to the group, written as the sharing area writes it (docs/permissions.md, "DynamoDB items"). */
async function grantToGroup(g: TestGroup, kind: 'document' | 'folder' = 'document') {
  const nodeId = newDocumentId();
  const key = generateDataKey();
  const sharedAt = new Date().toISOString();
  const label = { kind: kind === 'folder' ? 'folder' : 'dek', resourceId: nodeId, generation: 1, recipientId: G(g) } as const;
  const wrappedKey = b64(await wrapKey(g.pairs.get(g.gen)!.publicKey, key, label));
  await stack.deps.db.doc.send(
    new PutCommand({ TableName: stack.table, Item: { ...keys.nodeMeta(nodeId), type: 'node', nodeId, kind, state: 'active', rev: 1 } }),
  );
  await stack.deps.db.doc.send(
    new PutCommand({
      TableName: stack.table,
      Item: {
        ...keys.grant(nodeId, G(g)),
        type: 'grant',
        nodeId,
        principalId: G(g),
        role: 'viewer',
        wrappedKey,
        keyGeneration: 1,
        principalKeyGeneration: g.gen,
        grantedBy: 'alice',
        sharedAt,
        ...indexKeys.byPrincipal(G(g), sharedAt, nodeId),
      },
    }),
  );
  return { nodeId, key, label };
}

/** A member of the directory made directly in the table (bulk tests): a profile with a shared key pair. */
async function bulkUsers(prefix: string, count: number, pair: UserKeyPair): Promise<string[]> {
  const fp = await fingerprint(pair.publicKeySpki);
  const ids = Array.from({ length: count }, (_, i) => `${prefix}-${String(i).padStart(3, '0')}`);
  await Promise.all(
    ids.map((userId) =>
      stack.deps.db.doc.send(
        new PutCommand({
          TableName: stack.table,
          Item: {
            ...keys.userProfile(userId),
            type: 'user',
            userId,
            name: userId,
            kind: 'member',
            publicKey: b64(pair.publicKeySpki),
            fingerprint: fp,
            createdAt: new Date().toISOString(),
          },
        }),
      ),
    ),
  );
  for (const id of ids) userKeys.set(id, { publicKey: pair.publicKey, fingerprint: fp });
  return ids.map((id) => `u:${id}`);
}

async function registerGuest(userId: string, inviter: Actor): Promise<Actor> {
  const invitation = await api(url, 'POST', '/invitations', { token: inviter.accessToken, body: {} });
  expect(invitation.status, JSON.stringify(invitation.body)).toBe(201);
  const passphrase = `guest-${userId}-${Math.random().toString(36).slice(2)}`;
  const params = newKdfParams(TEST_KDF);
  const derived = await deriveUserKeys(passphrase, params);
  const pair = await generateUserKeyPair();
  const res = await api(url, 'POST', '/users', {
    body: {
      userId,
      name: `Guest ${userId}`,
      publicKey: b64(pair.publicKeySpki),
      encryptedPrivateKey: b64(await sealPrivateKey(pair.privateKeyPkcs8, derived.encryptionKey, userId)),
      kdf: params,
      authKey: b64(derived.authKey),
      invitationCode: invitation.body.invitationCode,
    },
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  expect(res.body.kind).toBe('guest');
  const login = await api(url, 'POST', '/auth/token', { body: { userId, authKey: b64(derived.authKey) } });
  return {
    userId,
    passphrase,
    authKey: b64(derived.authKey),
    publicKeySpki: pair.publicKeySpki,
    publicKey: pair.publicKey,
    privateKey: pair.privateKey,
    fingerprint: await fingerprint(pair.publicKeySpki),
    accessToken: login.body.accessToken,
    refreshToken: login.body.refreshToken,
  };
}

beforeAll(async () => {
  stack = await startLocalStack();
  url = stack.url;
  [alice, bob, carol, dave, erin, mallory] = (await Promise.all(
    ['alice', 'bob', 'carol', 'dave', 'erin', 'mallory'].map((u) => register(url, u)),
  )) as [Actor, Actor, Actor, Actor, Actor, Actor];
  gina = await registerGuest('gina', alice);
  for (const a of [alice, bob, carol, dave, erin, mallory, gina]) userKeys.set(a.userId, { publicKey: a.publicKey, fingerprint: a.fingerprint });
});
afterAll(() => stack?.stop());

describe('create', () => {
  it('writes the META, the creator as admin and the creator principal set in one go; the keyring opens the private key', async () => {
    const g = await newGroup(alice, 'Payroll');
    const meta = await item(keys.groupMeta(g.groupId));
    expect(meta).toMatchObject({ groupId: g.groupId, name: 'Payroll', keyGeneration: 1, memberCount: 1, adminCount: 1, supergroups: {}, rev: 1, createdBy: 'alice' });
    const member = await item(keys.groupMember(g.groupId, P(alice)));
    expect(member).toMatchObject({ role: 'admin', keyGeneration: 1, kind: 'member', gsi1pk: 'PRINCIPAL#u:alice', gsi1sk: `MEMBER#${g.groupId}` });
    expect(await principalSet(alice)).toMatchObject({ [g.groupId]: 'u:alice' });

    const ring = await keyringOf(alice);
    const entry = ring.entry(g.groupId);
    expect(entry).toMatchObject({ name: 'Payroll', via: 'u:alice', role: 'admin', keyGeneration: 1, secretKeyGeneration: 1 });
    const key = generateDataKey();
    const label = { kind: 'dek', resourceId: newDocumentId(), generation: 1, recipientId: G(g) } as const;
    const wrapped = await wrapKey(g.pairs.get(1)!.publicKey, key, label);
    expect(await unwrapKey(await ring.privateKeyFor(g.groupId, 1), wrapped, label)).toEqual(key);
  });

  it('refuses a reused id (409 GROUP_EXISTS), a fingerprint that is not the key (400) and a guest (403 GUEST_FORBIDDEN)', async () => {
    const { body } = await createBody(bob);
    expect((await api(url, 'POST', '/groups', { token: bob.accessToken, body })).status).toBe(201);
    const again = await api(url, 'POST', '/groups', { token: bob.accessToken, body });
    expect([again.status, again.body.error.code]).toEqual([409, 'GROUP_EXISTS']);

    const other = (await createBody(bob)).body;
    const bad = await api(url, 'POST', '/groups', { token: bob.accessToken, body: { ...other, fingerprint: 'a'.repeat(64) } });
    expect([bad.status, bad.body.error.code]).toEqual([400, 'VALIDATION_FAILED']);
    const badName = await api(url, 'POST', '/groups', { token: bob.accessToken, body: { ...other, name: '   ' } });
    expect(badName.status).toBe(400);
    const badGen = await api(url, 'POST', '/groups', { token: bob.accessToken, body: { ...other, keyGeneration: 2 } });
    expect(badGen.status).toBe(400);

    const guest = await api(url, 'POST', '/groups', { token: gina.accessToken, body: (await createBody(gina)).body });
    expect([guest.status, guest.body.error.code]).toEqual([403, 'GUEST_FORBIDDEN']);
    expect(await item(keys.groupMeta(other.groupId))).toBeUndefined();
  });
});

describe('reading a group', () => {
  it('shows the public face to any member of the directory, members only to members, 404 for unknown ids', async () => {
    const g = await newGroup(alice, 'Legal');
    await mustAdd(alice, g, [P(bob)]);
    const asMember = await api(url, 'GET', `/groups/${g.groupId}`, { token: bob.accessToken });
    expect(asMember.status).toBe(200);
    expect(asMember.body.members).toEqual([
      { principalId: 'u:alice', role: 'admin', kind: 'member' },
      { principalId: 'u:bob', role: 'member', kind: 'member' },
    ]);
    expect(asMember.body.membership).toEqual({ via: 'u:bob', role: 'member', admin: false });

    const asStranger = await api(url, 'GET', `/groups/${g.groupId}`, { token: mallory.accessToken });
    expect(asStranger.status).toBe(200);
    expect(asStranger.body).toMatchObject({ name: 'Legal', memberCount: 2, keyGeneration: 1, fingerprint: await fingerprint(g.pairs.get(1)!.publicKeySpki) });
    expect(asStranger.body).not.toHaveProperty('members');
    expect(asStranger.body).not.toHaveProperty('membership');

    const unknown = await api(url, 'GET', `/groups/${newDocumentId()}`, { token: mallory.accessToken });
    expect([unknown.status, unknown.body.error.code]).toEqual([404, 'GROUP_NOT_FOUND']);
    expect((await api(url, 'GET', '/groups/not-an-id', { token: mallory.accessToken })).status).toBe(400);
  });
});

describe('admin-only changes', () => {
  it('rename: admins yes, members 403 NOT_GROUP_ADMIN, strangers 404', async () => {
    const g = await newGroup(alice, 'Old name');
    await mustAdd(alice, g, [P(bob)]);
    const ok = await api(url, 'PUT', `/groups/${g.groupId}/name`, { token: alice.accessToken, body: { name: 'New name' } });
    expect(ok.status).toBe(200);
    expect((await item(keys.groupMeta(g.groupId)))!.name).toBe('New name');
    const member = await api(url, 'PUT', `/groups/${g.groupId}/name`, { token: bob.accessToken, body: { name: 'Mine' } });
    expect([member.status, member.body.error.code]).toEqual([403, 'NOT_GROUP_ADMIN']);
    const stranger = await api(url, 'PUT', `/groups/${g.groupId}/name`, { token: mallory.accessToken, body: { name: 'Mine' } });
    expect([stranger.status, stranger.body.error.code]).toEqual([404, 'GROUP_NOT_FOUND']);
    expect((await item(keys.groupMeta(g.groupId)))!.name).toBe('New name');
  });

  it('add and remove: members get 403, strangers 404, nothing is written', async () => {
    const g = await newGroup(alice);
    await mustAdd(alice, g, [P(bob)]);
    const byMember = await add(bob, g, [P(carol)]);
    expect([byMember.status, byMember.body.error.code]).toEqual([403, 'NOT_GROUP_ADMIN']);
    const byStranger = await add(mallory, g, [P(mallory)]);
    expect([byStranger.status, byStranger.body.error.code]).toEqual([404, 'GROUP_NOT_FOUND']);
    const removeByMember = await remove(bob, g, [P(alice)]);
    expect([removeByMember.status, removeByMember.body.error.code]).toEqual([403, 'NOT_GROUP_ADMIN']);
    expect((await memberIds(g)).sort()).toEqual(['u:alice', 'u:bob']);
    expect(g.gen).toBe(1);
  });
});

describe('adding members', () => {
  it('refuses unknown principals (422), stale fingerprints (409), existing members (409) and an old key generation (409), all or none', async () => {
    const g = await newGroup(alice);
    const ghost = { ...(await memberEntry(g, P(bob))), principalId: 'u:nobody' };
    const unknown = await api(url, 'POST', `/groups/${g.groupId}/members`, {
      token: alice.accessToken,
      body: { members: [await memberEntry(g, P(carol)), ghost, { ...ghost, principalId: `g:${newDocumentId()}` }] },
    });
    expect([unknown.status, unknown.body.error.code]).toEqual([422, 'UNKNOWN_PRINCIPALS']);
    expect(unknown.body.error.details.principalIds).toHaveLength(2);

    const stale = await api(url, 'POST', `/groups/${g.groupId}/members`, {
      token: alice.accessToken,
      body: { members: [{ ...(await memberEntry(g, P(carol))), fingerprint: bob.fingerprint }] },
    });
    expect([stale.status, stale.body.error.code]).toEqual([409, 'STALE_PUBLIC_KEY']);

    const oldGen = await api(url, 'POST', `/groups/${g.groupId}/members`, {
      token: alice.accessToken,
      body: { members: [{ ...(await memberEntry(g, P(carol))), keyGeneration: 2 }] },
    });
    expect([oldGen.status, oldGen.body.error.code]).toEqual([409, 'GROUP_KEY_CHANGED']);

    const dup = await api(url, 'POST', `/groups/${g.groupId}/members`, {
      token: alice.accessToken,
      body: { members: [await memberEntry(g, P(carol)), await memberEntry(g, P(carol))] },
    });
    expect(dup.status).toBe(400);

    expect(await memberIds(g)).toEqual(['u:alice']);
    expect(await principalSet(carol)).not.toHaveProperty(g.groupId);

    await mustAdd(alice, g, [P(carol)]);
    const again = await add(alice, g, [P(dave), P(carol)]);
    expect([again.status, again.body.error.code]).toEqual([409, 'ALREADY_MEMBER']);
    expect(again.body.error.details.principalIds).toEqual(['u:carol']);
    expect((await memberIds(g)).sort()).toEqual(['u:alice', 'u:carol']);
    expect((await item(keys.groupMeta(g.groupId)))!.memberCount).toBe(2);

    // The new member opens the secret the admin wrapped for it.
    const ring = await keyringOf(carol);
    expect(await ring.secretFor(g.groupId)).toEqual(g.secrets.get(1));
  });

  it('takes at most 25 members per request', async () => {
    const g = await newGroup(alice);
    const members = Array.from({ length: 26 }, () => ({ principalId: 'u:bob', role: 'member', wrappedSecret: 'A'.repeat(512), keyGeneration: 1, fingerprint: bob.fingerprint }));
    const res = await api(url, 'POST', `/groups/${g.groupId}/members`, { token: alice.accessToken, body: { members } });
    expect(res.status).toBe(400);
  });
});

describe('roles', () => {
  it('promotes and demotes; the last admin cannot be demoted or removed', async () => {
    const g = await newGroup(alice);
    await mustAdd(alice, g, [P(bob), P(carol)]);
    const path = (p: string) => `/groups/${g.groupId}/members/${encodeURIComponent(p)}`;
    const byMember = await api(url, 'PUT', path('u:carol'), { token: bob.accessToken, body: { role: 'admin' } });
    expect([byMember.status, byMember.body.error.code]).toEqual([403, 'NOT_GROUP_ADMIN']);

    const last = await api(url, 'PUT', path('u:alice'), { token: alice.accessToken, body: { role: 'member' } });
    expect([last.status, last.body.error.code]).toEqual([422, 'LAST_ADMIN']);
    const lastRemoved = await remove(alice, g, [P(alice)]);
    expect([lastRemoved.status, lastRemoved.body.error.code]).toEqual([422, 'LAST_ADMIN']);

    expect((await api(url, 'PUT', path('u:bob'), { token: alice.accessToken, body: { role: 'admin' } })).status).toBe(200);
    expect((await item(keys.groupMember(g.groupId, 'u:bob')))!.role).toBe('admin');
    // Bob is an admin now: he renames, and demotes Alice.
    expect((await api(url, 'PUT', `/groups/${g.groupId}/name`, { token: bob.accessToken, body: { name: 'Bob runs it' } })).status).toBe(200);
    expect((await api(url, 'PUT', path('u:alice'), { token: bob.accessToken, body: { role: 'member' } })).status).toBe(200);
    const aliceNow = await api(url, 'PUT', `/groups/${g.groupId}/name`, { token: alice.accessToken, body: { name: 'Mine' } });
    expect(aliceNow.status).toBe(403);
    expect((await item(keys.groupMeta(g.groupId)))!.adminCount).toBe(1);

    const missing = await api(url, 'PUT', path('u:dave'), { token: bob.accessToken, body: { role: 'admin' } });
    expect([missing.status, missing.body.error.code]).toEqual([404, 'MEMBER_NOT_FOUND']);
  });
});

describe('guests', () => {
  it('can be members, never admins; see only their own groups', async () => {
    const g = await newGroup(alice, 'With a guest');
    const asAdmin = await add(alice, g, [P(gina)], 'admin');
    expect([asAdmin.status, asAdmin.body.error.code]).toEqual([422, 'GUEST_CANNOT_BE_ADMIN']);
    await mustAdd(alice, g, [P(gina)]);
    expect((await item(keys.groupMember(g.groupId, 'u:gina')))!.kind).toBe('guest');
    const promote = await api(url, 'PUT', `/groups/${g.groupId}/members/u%3Agina`, { token: alice.accessToken, body: { role: 'admin' } });
    expect([promote.status, promote.body.error.code]).toEqual([422, 'GUEST_CANNOT_BE_ADMIN']);

    const own = await api(url, 'GET', `/groups/${g.groupId}`, { token: gina.accessToken });
    expect(own.status).toBe(200);
    expect(own.body.members.map((m: { principalId: string }) => m.principalId)).toContain('u:gina');
    const other = await newGroup(alice, 'No guests');
    const notHers = await api(url, 'GET', `/groups/${other.groupId}`, { token: gina.accessToken });
    expect([notHers.status, notHers.body.error.code]).toEqual([404, 'GROUP_NOT_FOUND']);
    expect((await keyringOf(gina)).has(g.groupId)).toBe(true);
  });
});

describe('nested groups', () => {
  it('a nested group member gives its members the outer group: principal sets, supergroups and keys', async () => {
    const outer = await newGroup(alice, 'Company');
    const team = await newGroup(bob, 'Team');
    const squad = await newGroup(carol, 'Squad');
    await mustAdd(carol, squad, [P(dave)]);
    await mustAdd(bob, team, [G(squad)]); // carol and dave are in team through squad
    await mustAdd(alice, outer, [G(team)]);

    expect(await supergroups(team)).toEqual({ [outer.groupId]: G(team) });
    expect(await supergroups(squad)).toEqual({ [team.groupId]: G(squad), [outer.groupId]: G(team) });
    expect(await principalSet(dave)).toEqual({ [squad.groupId]: 'u:dave', [team.groupId]: G(squad), [outer.groupId]: G(team) });
    expect(await principalSet(bob)).toMatchObject({ [team.groupId]: 'u:bob', [outer.groupId]: G(team) });
    expect((await item(keys.groupMember(outer.groupId, G(team))))!.principalKeyGeneration).toBe(1);

    // Dave opens outer's private key: his key -> squad -> team -> outer.
    const ring = await keyringOf(dave);
    expect(ring.entry(outer.groupId).via).toBe(G(team));
    const label = { kind: 'dek', resourceId: newDocumentId(), generation: 1, recipientId: G(outer) } as const;
    const key = generateDataKey();
    const wrapped = await wrapKey(outer.pairs.get(1)!.publicKey, key, label);
    expect(await unwrapKey(await ring.privateKeyFor(outer.groupId, 1), wrapped, label)).toEqual(key);
    const members = await api(url, 'GET', `/groups/${outer.groupId}`, { token: dave.accessToken });
    expect(members.body.membership).toEqual({ via: G(team), admin: false });
  });

  it('refuses cycles: into itself, directly and transitively (422 GROUP_CYCLE)', async () => {
    const a = await newGroup(alice, 'A');
    const b = await newGroup(alice, 'B');
    const c = await newGroup(alice, 'C');
    const self = await add(alice, a, [G(a)]);
    expect([self.status, self.body.error.code]).toEqual([422, 'GROUP_CYCLE']);
    await mustAdd(alice, a, [G(b)]);
    await mustAdd(alice, b, [G(c)]);
    const direct = await add(alice, b, [G(a)]);
    expect([direct.status, direct.body.error.code]).toEqual([422, 'GROUP_CYCLE']);
    const transitive = await add(alice, c, [G(a)]);
    expect([transitive.status, transitive.body.error.code]).toEqual([422, 'GROUP_CYCLE']);
    expect(await memberIds(c)).toEqual(['u:alice']);
    expect(await supergroups(a)).toEqual({});
  });

  it('two opposite concurrent nestings: exactly one succeeds and no cycle exists', async () => {
    for (let round = 0; round < 3; round++) {
      const x = await newGroup(alice, `X${round}`);
      const y = await newGroup(alice, `Y${round}`);
      const [xy, yx] = await Promise.all([add(alice, x, [G(y)]), add(alice, y, [G(x)])]);
      const outcomes = [xy, yx].map((r) => (r.status === 200 ? 'ok' : r.body.error.code)).sort();
      expect(outcomes[0]).toMatch(/^(CONCURRENT_UPDATE|GROUP_CYCLE)$/);
      expect(outcomes[1]).toBe('ok');
      const [sx, sy] = [await supergroups(x), await supergroups(y)];
      expect(!(y.groupId in sx && x.groupId in sy)).toBe(true);
      expect(Object.keys(sx).length + Object.keys(sy).length).toBe(1);
    }
  });

  it('two concurrent nestings that close a cycle through other groups (no item in common): exactly one succeeds', async () => {
    // x contains g, h contains y. Concurrently: h into g, and x into y, would close x > g > h > y > x.
    // The two writes touch disjoint items; only the ancestors' rev checks make them collide.
    for (let round = 0; round < 3; round++) {
      const [x, g, h, y] = [await newGroup(alice, 'x'), await newGroup(alice, 'g'), await newGroup(alice, 'h'), await newGroup(alice, 'y')];
      await mustAdd(alice, x, [G(g)]);
      await mustAdd(alice, h, [G(y)]);
      const [one, two] = await Promise.all([add(alice, g, [G(h)]), add(alice, y, [G(x)])]);
      const outcomes = [one, two].map((r) => (r.status === 200 ? 'ok' : r.body.error.code)).sort();
      expect(outcomes[0]).toMatch(/^(CONCURRENT_UPDATE|GROUP_CYCLE)$/);
      expect(outcomes[1]).toBe('ok');
      for (const grp of [x, g, h, y]) expect(await supergroups(grp)).not.toHaveProperty(grp.groupId);
    }
  }, 40_000);

  it('removing a nested group takes its members out of everything above it', async () => {
    const outer = await newGroup(alice, 'Outer');
    const middle = await newGroup(alice, 'Middle');
    const inner = await newGroup(alice, 'Inner');
    await mustAdd(alice, inner, [P(erin)]);
    await mustAdd(alice, middle, [G(inner), P(dave)]);
    await mustAdd(alice, outer, [G(middle)]);
    expect(await principalSet(erin)).toMatchObject({ [outer.groupId]: G(middle), [middle.groupId]: G(inner) });

    const res = await remove(alice, outer, [G(middle)]);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(await supergroups(middle)).toEqual({});
    expect(await supergroups(inner)).toEqual({ [middle.groupId]: G(inner) });
    expect(await principalSet(erin)).toEqual({ [inner.groupId]: 'u:erin', [middle.groupId]: G(inner) });
    expect(await principalSet(dave)).not.toHaveProperty(outer.groupId);
    expect((await item(keys.groupMeta(middle.groupId)))!.propagationPending).toBeUndefined();
    expect((await keyringOf(erin)).has(outer.groupId)).toBe(false);
  });
});

describe('admins through a group, and an unfinished propagation', () => {
  it('a group that is an admin member makes its users admins (not its guests)', async () => {
    const g = await newGroup(alice, 'Managed');
    const admins = await newGroup(bob, 'Admins of Managed');
    await mustAdd(bob, admins, [P(carol), P(gina)]);
    await mustAdd(alice, g, [G(admins)], 'admin');
    expect((await api(url, 'PUT', `/groups/${g.groupId}/name`, { token: carol.accessToken, body: { name: 'By carol' } })).status).toBe(200);
    const guest = await api(url, 'PUT', `/groups/${g.groupId}/name`, { token: gina.accessToken, body: { name: 'By gina' } });
    expect([guest.status, guest.body.error.code]).toEqual([403, 'NOT_GROUP_ADMIN']);
    expect((await api(url, 'GET', `/groups/${g.groupId}`, { token: carol.accessToken })).body.membership).toEqual({ via: G(admins), admin: true });
  });

  it('the next change to a group resumes a propagation that an earlier request left unfinished', async () => {
    const outer = await newGroup(alice, 'Outer again');
    const inner = await newGroup(alice, 'Inner again');
    await mustAdd(alice, inner, [P(erin)]);
    await mustAdd(alice, outer, [G(inner)]);
    // Simulate a request that died after its transaction: erin's set lacks outer, inner is marked.
    await stack.deps.db.doc.send(new PutCommand({ TableName: stack.table, Item: { ...keys.principalSet('erin'), type: 'principals', userId: 'erin', groups: {}, rev: 99 } }));
    const meta = (await item(keys.groupMeta(inner.groupId)))!;
    await stack.deps.db.doc.send(new PutCommand({ TableName: stack.table, Item: { ...meta, propagationPending: true } }));
    await mustAdd(alice, inner, [P(dave)]);
    expect(await principalSet(erin)).toMatchObject({ [inner.groupId]: 'u:erin', [outer.groupId]: G(inner) });
    expect((await item(keys.groupMeta(inner.groupId)))!.propagationPending).toBeUndefined();
  });
});

describe('removal and rotation', () => {
  it('refuses the removed member at once, and it cannot open the new generation; the others can', async () => {
    const g = await newGroup(alice, 'Board');
    const sub = await newGroup(carol, 'Board assistants');
    await mustAdd(carol, sub, [P(erin)]);
    await mustAdd(alice, g, [P(bob), P(dave), G(sub)]);
    const grant = await grantToGroup(g);
    const bobOldRing = await keyringOf(bob);
    const bobOldKey = await bobOldRing.privateKeyFor(g.groupId, 1);
    const bobOldSecret = await bobOldRing.secretFor(g.groupId, 1);

    const res = await remove(alice, g, [P(bob)]);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toEqual({ groupId: g.groupId, removed: ['u:bob'], keyGeneration: 2 });

    // Authorization: the principal set no longer names the group; the group refuses him.
    expect(await principalSet(bob)).not.toHaveProperty(g.groupId);
    expect(await item(keys.groupMember(g.groupId, 'u:bob'))).toBeUndefined();
    const view = await api(url, 'GET', `/groups/${g.groupId}`, { token: bob.accessToken });
    expect(view.body).not.toHaveProperty('members');
    expect((await api(url, 'GET', `/groups/${g.groupId}/grants`, { token: bob.accessToken })).status).toBe(404);
    expect((await keyringOf(bob)).has(g.groupId)).toBe(false);
    const meta = (await item(keys.groupMeta(g.groupId)))!;
    expect(meta).toMatchObject({ keyGeneration: 2, memberCount: 3, fingerprint: await fingerprint(g.pairs.get(2)!.publicKeySpki) });
    expect(meta.sealedPrivateKeys['1']).toBeDefined();
    expect(meta.keyChain['1']).toHaveLength(82);

    // Cryptography: with everything he kept and every wrap in the table, bob opens nothing of generation 2.
    const members = (await stack.deps.db.doc.send(
      new QueryCommand({ TableName: stack.table, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': `GROUP#${g.groupId}` } }),
    )).Items!.filter((i) => i.sk.startsWith('MEMBER#'));
    for (const m of members) {
      for (const recipientId of [m.principalId, 'u:bob']) {
        await expect(unwrapKey(bob.privateKey, bytesOf(m.wrappedSecret), groupLabel(g.groupId, 2, recipientId))).rejects.toMatchObject({ code: 'DECRYPTION_FAILED' });
      }
    }
    await expect(openGroupPrivateKey(bobOldSecret, meta.sealedPrivateKey, { groupId: g.groupId, generation: 2 })).rejects.toMatchObject({ code: 'DECRYPTION_FAILED' });
    // The chain goes down only: the old secret does not open the link to the new one.
    await expect(
      unwrapKeyUnderKey(bobOldSecret, meta.keyChain['1'], { kind: 'group-chain', resourceId: g.groupId, generation: 1, parentId: g.groupId, parentGeneration: 2 }),
    ).rejects.toMatchObject({ code: 'DECRYPTION_FAILED' });

    // The grant re-wrapped for generation 2 (as the SDK does): bob's old group key no longer opens it.
    const aliceRing = await keyringOf(alice);
    const stale = await api(url, 'GET', `/groups/${g.groupId}/grants?stale=1`, { token: alice.accessToken });
    expect(stale.body.grants.map((x: { nodeId: string }) => x.nodeId)).toEqual([grant.nodeId]);
    const unwrapped = await unwrapKey(await aliceRing.privateKeyFor(g.groupId, 1), bytesOf(stale.body.grants[0].wrappedKey), grant.label);
    const rewrapped = b64(await wrapKey(g.pairs.get(2)!.publicKey, unwrapped, grant.label));
    const rw = await api(url, 'POST', `/groups/${g.groupId}/rewrap`, {
      token: alice.accessToken,
      body: { principalKeyGeneration: 2, grants: [{ nodeId: grant.nodeId, keyGeneration: 1, wrappedKey: rewrapped }] },
    });
    expect(rw.body).toEqual({ groupId: g.groupId, rewrapped: [grant.nodeId], skipped: [] });
    const stored = (await item(keys.grant(grant.nodeId, G(g))))!;
    expect(stored.principalKeyGeneration).toBe(2);
    await expect(unwrapKey(bobOldKey, bytesOf(stored.wrappedKey), grant.label)).rejects.toMatchObject({ code: 'DECRYPTION_FAILED' });

    // Remaining members, the nested group's member, and the old generation through the chain.
    for (const who of [alice, dave, carol, erin]) {
      const ring = await keyringOf(who);
      expect(await ring.secretFor(g.groupId, 2)).toEqual(g.secrets.get(2));
      expect(await ring.secretFor(g.groupId, 1)).toEqual(g.secrets.get(1));
      expect(await unwrapKey(await ring.privateKeyFor(g.groupId, 2), bytesOf(stored.wrappedKey), grant.label)).toEqual(grant.key);
    }
  });

  it('a member may leave (remove itself) with a rotation; not someone else', async () => {
    const g = await newGroup(alice, 'Club');
    await mustAdd(alice, g, [P(bob), P(carol)]);
    const other = await remove(bob, g, [P(carol)]);
    expect([other.status, other.body.error.code]).toEqual([403, 'NOT_GROUP_ADMIN']);
    const leave = await remove(bob, g, [P(bob)]);
    expect(leave.status, JSON.stringify(leave.body)).toBe(200);
    expect((await memberIds(g)).sort()).toEqual(['u:alice', 'u:carol']);
    expect(await principalSet(bob)).not.toHaveProperty(g.groupId);
  });

  it('refuses a rotation that misses a member, wraps for a removed one, or is not the next generation; nothing changes', async () => {
    const g = await newGroup(alice, 'Strict');
    await mustAdd(alice, g, [P(bob), P(carol)]);
    const path = `/groups/${g.groupId}/members/remove`;
    const r = await rotation(g, ['u:alice', 'u:carol']);
    const missing = await api(url, 'POST', path, { token: alice.accessToken, body: { principalIds: ['u:bob'], rotation: rotationBody(r, r.wraps.slice(1)) } });
    expect([missing.status, missing.body.error.code]).toEqual([422, 'ROTATION_INCOMPLETE']);
    expect(missing.body.error.details.principalIds).toEqual(['u:alice']);

    const withBob = await rotation(g, ['u:alice', 'u:carol', 'u:bob']);
    const extra = await api(url, 'POST', path, { token: alice.accessToken, body: { principalIds: ['u:bob'], rotation: rotationBody(withBob) } });
    expect([extra.status, extra.body.error.code]).toEqual([422, 'ROTATION_MISMATCH']);

    const skipped = await api(url, 'POST', path, { token: alice.accessToken, body: { principalIds: ['u:bob'], rotation: { ...rotationBody(r), keyGeneration: 3 } } });
    expect([skipped.status, skipped.body.error.code]).toEqual([409, 'GROUP_KEY_CHANGED']);
    const notMember = await api(url, 'POST', path, { token: alice.accessToken, body: { principalIds: ['u:dave'], rotation: rotationBody(r) } });
    expect([notMember.status, notMember.body.error.code]).toEqual([422, 'NOT_MEMBERS']);

    expect((await memberIds(g)).sort()).toEqual(['u:alice', 'u:bob', 'u:carol']);
    expect((await item(keys.groupMeta(g.groupId)))!.keyGeneration).toBe(1);
    expect(await principalSet(bob)).toHaveProperty(g.groupId);
  });

  it('a group bigger than one transaction: 120 members, removal stages the wraps first; staged requests too', async () => {
    const pair = await generateUserKeyPair();
    const bulk = await bulkUsers('bulk', 118, pair);
    const g = await newGroup(alice, 'Everyone');
    await mustAdd(alice, g, [P(bob), ...bulk]);
    expect((await item(keys.groupMeta(g.groupId)))!.memberCount).toBe(120);
    expect(await principalSet({ userId: 'bulk-117' })).toEqual({ [g.groupId]: 'u:bulk-117' });

    // 1. One request with all 118 remaining wraps: the server stages them in batches (98 + 20), then switches.
    const revBefore = (await item(keys.groupMeta(g.groupId)))!.rev;
    const first = await remove(alice, g, [P(bob), 'u:bulk-000']);
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    expect((await item(keys.groupMeta(g.groupId)))!.rev - revBefore).toBe(3);
    expect(await principalSet(bob)).not.toHaveProperty(g.groupId);
    expect(await principalSet({ userId: 'bulk-000' })).not.toHaveProperty(g.groupId);
    const after = await memberIds(g);
    expect(after).toHaveLength(118);
    for (const id of ['bulk-001', 'bulk-117']) {
      const m = (await item(keys.groupMember(g.groupId, `u:${id}`)))!;
      expect(m.keyGeneration).toBe(2);
      expect(m.staged).toBeUndefined();
      expect(await unwrapKey(pair.privateKey, bytesOf(m.wrappedSecret), groupLabel(g.groupId, 2, `u:${id}`))).toEqual(g.secrets.get(2));
    }

    // 2. Staged over two requests (commit: false, then the rest with the removal).
    const remaining = after.filter((p) => p !== 'u:bulk-001');
    const r = await rotation(g, remaining);
    const path = `/groups/${g.groupId}/members/remove`;
    const stage = await api(url, 'POST', path, { token: alice.accessToken, body: { principalIds: ['u:bulk-001'], rotation: rotationBody(r, r.wraps.slice(0, 70), false) } });
    expect(stage.body).toEqual({ groupId: g.groupId, removed: [], keyGeneration: 2, staged: 70 });
    // Staged wraps change nothing for readers until the switch.
    const bulkToken = (await stack.deps.tokens.issue({ sub: 'bulk-005', kind: 'member' })).token;
    const before = await api(url, 'GET', '/groups', { token: bulkToken });
    expect(before.body.groups[0]).toMatchObject({ keyGeneration: 2, secretKeyGeneration: 2 });
    const partial = await api(url, 'POST', path, { token: alice.accessToken, body: { principalIds: ['u:bulk-001'], rotation: rotationBody(r, r.wraps.slice(70, 100)) } });
    expect([partial.status, partial.body.error.code]).toEqual([422, 'ROTATION_INCOMPLETE']);
    expect(partial.body.error.details.principalIds).toHaveLength(remaining.length - 100);
    const done = await api(url, 'POST', path, { token: alice.accessToken, body: { principalIds: ['u:bulk-001'], rotation: rotationBody(r, r.wraps.slice(70)) } });
    expect(done.status, JSON.stringify(done.body)).toBe(200);
    advance(g, r);
    expect(await memberIds(g)).toHaveLength(117);
    for (const id of ['bulk-002', 'bulk-117']) {
      const res = await api(url, 'GET', '/groups', { token: (await stack.deps.tokens.issue({ sub: id, kind: 'member' })).token });
      const ring = new GroupKeyring(id, pair.privateKey, res.body.groups);
      expect(await ring.secretFor(g.groupId)).toEqual(g.secrets.get(3));
      expect(await ring.secretFor(g.groupId, 1)).toEqual(g.secrets.get(1));
      const m = (await item(keys.groupMember(g.groupId, `u:${id}`)))!;
      expect([m.keyGeneration, m.staged]).toEqual([3, undefined]);
    }
  }, 25_000);
});

describe('grants made to the group', () => {
  it('lists stale grants page by page and re-wraps them; of two concurrent re-wraps of one grant exactly one is stored', async () => {
    const g = await newGroup(alice, 'Readers');
    await mustAdd(alice, g, [P(bob), P(carol)]);
    const grants: Awaited<ReturnType<typeof grantToGroup>>[] = [];
    for (let i = 0; i < 5; i++) grants.push(await grantToGroup(g, i === 0 ? 'folder' : 'document'));
    expect((await remove(alice, g, [P(carol)])).status).toBe(200);

    const seen: { nodeId: string; wrappedKey: string; nodeKind: string; principalKeyGeneration: number }[] = [];
    let cursor: string | undefined;
    do {
      const page = await api(url, 'GET', `/groups/${g.groupId}/grants?stale=1&limit=2${cursor ? `&cursor=${cursor}` : ''}`, { token: bob.accessToken });
      expect(page.status).toBe(200);
      expect(page.body.keyGeneration).toBe(2);
      seen.push(...page.body.grants);
      cursor = page.body.cursor;
    } while (cursor);
    expect(seen.map((s) => s.nodeId).sort()).toEqual(grants.map((x) => x.nodeId).sort());
    expect(seen.find((s) => s.nodeId === grants[0]!.nodeId)!.nodeKind).toBe('folder');
    expect(seen.every((s) => s.principalKeyGeneration === 1)).toBe(true);

    const badCursor = await api(url, 'GET', `/groups/${g.groupId}/grants?stale=1&cursor=${Buffer.from(JSON.stringify({ pk: 'x', sk: 'y', gsi1pk: 'PRINCIPAL#u:bob', gsi1sk: 'z' })).toString('base64url')}`, { token: bob.accessToken });
    expect(badCursor.status).toBe(400);

    const target = grants[1]!;
    const rewrap = async (by: Actor) =>
      api(url, 'POST', `/groups/${g.groupId}/rewrap`, {
        token: by.accessToken,
        body: { principalKeyGeneration: 2, grants: [{ nodeId: target.nodeId, keyGeneration: 1, wrappedKey: b64(await wrapKey(g.pairs.get(2)!.publicKey, target.key, target.label)) }] },
      });
    const [one, two] = await Promise.all([rewrap(alice), rewrap(bob)]);
    expect([one.status, two.status]).toEqual([200, 200]);
    expect([...one.body.rewrapped, ...two.body.rewrapped]).toEqual([target.nodeId]);
    expect([...one.body.skipped, ...two.body.skipped]).toEqual([target.nodeId]);

    const wrongGen = await api(url, 'POST', `/groups/${g.groupId}/rewrap`, {
      token: bob.accessToken,
      body: { principalKeyGeneration: 1, grants: [{ nodeId: grants[2]!.nodeId, keyGeneration: 1, wrappedKey: 'A'.repeat(512) }] },
    });
    expect([wrongGen.status, wrongGen.body.error.code]).toEqual([409, 'GROUP_KEY_CHANGED']);
    const changedNode = await api(url, 'POST', `/groups/${g.groupId}/rewrap`, {
      token: bob.accessToken,
      body: { principalKeyGeneration: 2, grants: [{ nodeId: grants[2]!.nodeId, keyGeneration: 7, wrappedKey: 'A'.repeat(512) }] },
    });
    expect(changedNode.body.skipped).toEqual([grants[2]!.nodeId]);
    const stranger = await api(url, 'POST', `/groups/${g.groupId}/rewrap`, {
      token: carol.accessToken,
      body: { principalKeyGeneration: 2, grants: [{ nodeId: grants[2]!.nodeId, keyGeneration: 1, wrappedKey: 'A'.repeat(512) }] },
    });
    expect(stranger.status).toBe(404);
    const remainingStale = await api(url, 'GET', `/groups/${g.groupId}/grants?stale=1`, { token: bob.accessToken });
    expect(remainingStale.body.grants).toHaveLength(4);
    const all = await api(url, 'GET', `/groups/${g.groupId}/grants`, { token: bob.accessToken });
    expect(all.body.grants).toHaveLength(5);

    // docs/versions.md, "Revoke": a document's re-wrap marks its key due for rotation in the same
    // transaction; a skipped re-wrap marks nothing, and a folder's re-wrap never does.
    expect((await item(keys.nodeMeta(target.nodeId)))!.rotationDue).toBe(true);
    expect(await item(keys.nodeMeta(grants[2]!.nodeId))).not.toHaveProperty('rotationDue');
    const folder = grants[0]!;
    const folderRewrap = await api(url, 'POST', `/groups/${g.groupId}/rewrap`, {
      token: bob.accessToken,
      body: { principalKeyGeneration: 2, grants: [{ nodeId: folder.nodeId, keyGeneration: 1, wrappedKey: b64(await wrapKey(g.pairs.get(2)!.publicKey, folder.key, folder.label)) }] },
    });
    expect(folderRewrap.body.rewrapped).toEqual([folder.nodeId]);
    expect(await item(keys.nodeMeta(folder.nodeId))).not.toHaveProperty('rotationDue');
  });
});

describe('SDK and keyring end to end', () => {
  const clients = new Map<string, CofferClient>();
  async function client(userId: string): Promise<CofferClient> {
    const c = new CofferClient({ serverUrl: url, pinStore: new MemoryKeyPinStore(), tuning: { allowWeakKdf: true } });
    await c.register({ userId, name: userId, passphrase: `${userId}-correct-horse-battery-staple`, kdf: TEST_KDF });
    clients.set(userId, c);
    return c;
  }

  it('creates, adds users and a nested group, removes with rotation and re-wraps the grants; the keyring follows', async () => {
    const [ann, ben, cat, dan] = await Promise.all(['sdk-ann', 'sdk-ben', 'sdk-cat', 'sdk-dan'].map(client)) as [CofferClient, CofferClient, CofferClient, CofferClient];
    const team = await ann.createGroup('SDK team');
    const sub = await cat.createGroup('SDK sub');
    expect(await cat.addGroupMembers(sub.groupId, [{ userId: 'sdk-dan' }])).toMatchObject({ added: ['u:sdk-dan'] });
    const added = await ann.addGroupMembers(team.groupId, [{ userId: 'sdk-ben', role: 'admin' }, { groupId: sub.groupId }, { userId: 'sdk-ann' }]);
    expect(added).toMatchObject({ added: ['u:sdk-ben', `g:${sub.groupId}`], alreadyMembers: ['u:sdk-ann'], memberCount: 3 });
    expect((await dan.listGroups()).map((g) => g.name).sort()).toEqual(['SDK sub', 'SDK team']);

    // A grant to the team, made at generation 1 (as the sharing area stores it).
    const g: TestGroup = { groupId: team.groupId, gen: 1, secrets: new Map(), pairs: new Map() };
    const teamKey = await (await ann.groupKeyring()).verifiedPublicKey(team.groupId);
    g.pairs.set(1, { publicKey: teamKey } as GroupKeyPair);
    const grant = await grantToGroup(g);

    const removed = await ben.removeGroupMembers(team.groupId, [{ userId: 'sdk-ann' }, { userId: 'nobody' }]);
    expect(removed).toMatchObject({ removed: ['u:sdk-ann'], notMembers: ['u:nobody'], keyGeneration: 2, rewrap: { rewrapped: 1, skipped: 0, failed: [] } });
    const stored = (await item(keys.grant(grant.nodeId, `g:${team.groupId}`)))!;
    expect(stored.principalKeyGeneration).toBe(2);
    const danRing = await dan.groupKeyring();
    expect(await unwrapKey(await danRing.privateKeyFor(team.groupId, 2), bytesOf(stored.wrappedKey), grant.label)).toEqual(grant.key);
    await expect(ann.groupKeyring().then((r) => r.privateKeyFor(team.groupId))).rejects.toMatchObject({ code: 'NOT_IN_GROUP' });
    expect(await ben.rewrapGroupGrants(team.groupId)).toMatchObject({ rewrapped: 0, failed: [] });

    await ben.renameGroup(team.groupId, 'SDK team 2');
    await ben.setGroupMemberRole(team.groupId, { groupId: sub.groupId }, 'member');
    expect((await cat.getGroup(team.groupId)).name).toBe('SDK team 2');
  }, 25_000);
});

describe('the CLI', () => {
  async function coffer(home: string, passphrase: string, args: string[]) {
    let stdout = '';
    const io: CliIo = {
      stdout: { write: (t: string) => (stdout += t) },
      stderr: Object.assign(new Writable({ write: (_c, _e, cb) => cb() }), { isTTY: false }),
      stdin: Readable.from([]) as unknown as NodeJS.ReadStream,
      env: { COFFER_HOME: home, COFFER_URL: url, COFFER_ALLOW_WEAK_KDF: '1', COFFER_PASSPHRASE: passphrase },
    };
    const code = await run(['--json', ...args], io);
    return { code, json: stdout.trim() ? JSON.parse(stdout) : undefined };
  }

  it('group create, add, ls, show, role, rename, remove (with rotation and re-wrap) and rewrap, all with --json', async () => {
    const root = await mkdtemp(join(tmpdir(), 'coffer-groups-'));
    const as = (a: Actor) => (args: string[]) => coffer(join(root, a.userId), a.passphrase, args);
    const [cliAlice, cliBob, cliCarol] = [as(alice), as(bob), as(carol)];
    expect((await cliAlice(['login', '--user', 'alice'])).code).toBe(0);
    expect((await cliBob(['login', '--user', 'bob'])).code).toBe(0);
    expect((await cliCarol(['login', '--user', 'carol'])).code).toBe(0);

    const created = await cliAlice(['group', 'create', 'Ops']);
    expect(created.code).toBe(0);
    const id = created.json.groupId as string;
    expect(created.json).toMatchObject({ name: 'Ops', keyGeneration: 1, memberCount: 1 });

    const added = await cliAlice(['group', 'add', id, '--user', 'bob,carol']);
    expect(added).toMatchObject({ code: 0, json: { added: ['u:bob', 'u:carol'], memberCount: 3, alreadyMembers: [] } });
    const none = await cliAlice(['group', 'add', id]);
    expect([none.code, none.json.error.code]).toEqual([2, 'USAGE']);

    const listed = await cliCarol(['group', 'ls']);
    expect(listed.json.groups).toContainEqual({ groupId: id, name: 'Ops', keyGeneration: 1, memberCount: 3, via: 'u:carol', role: 'member' });
    const shown = await cliBob(['group', 'show', id]);
    expect(shown.json.members.map((m: { principalId: string }) => m.principalId)).toEqual(['u:alice', 'u:bob', 'u:carol']);

    expect((await cliAlice(['group', 'role', id, 'bob', 'admin'])).json).toEqual({ groupId: id, principalId: 'u:bob', role: 'admin' });
    const badRole = await cliAlice(['group', 'role', id, 'bob', 'owner']);
    expect(badRole.code).toBe(2);
    expect((await cliBob(['group', 'rename', id, 'Ops team'])).json).toEqual({ groupId: id, name: 'Ops team' });
    const byMember = await cliCarol(['group', 'rename', id, 'Mine']);
    expect([byMember.code, byMember.json.error.code]).toEqual([3, 'NOT_GROUP_ADMIN']);

    const removed = await cliBob(['group', 'remove', id, '--user', 'carol']);
    expect(removed).toMatchObject({ code: 0, json: { removed: ['u:carol'], keyGeneration: 2, notMembers: [], rewrap: { rewrapped: 0, failed: [] } } });
    const gone = await cliCarol(['group', 'rename', id, 'Mine']);
    expect([gone.code, gone.json.error.code]).toEqual([4, 'GROUP_NOT_FOUND']);
    expect((await cliAlice(['group', 'rewrap', id])).json).toMatchObject({ groupId: id, keyGeneration: 2, rewrapped: 0, skipped: 0, failed: [] });
  });

  it("an admin's own rotation is pinned, so their next share with the group passes; another admin's rotation or a substituted key is still refused (exit 5)", async () => {
    // Prepare: alice and carol admins of one group with bob in it; both pinned its first key by sharing with it
    const root = await mkdtemp(join(tmpdir(), 'coffer-group-pins-'));
    const as = (a: Actor) => (args: string[]) => coffer(join(root, a.userId), a.passphrase, args);
    const [cliAlice, cliBob, cliCarol] = [as(alice), as(bob), as(carol)];
    for (const [cli, a] of [[cliAlice, alice], [cliBob, bob], [cliCarol, carol]] as const) expect((await cli(['login', '--user', a.userId])).code).toBe(0);
    const file = join(root, 'ledger.txt');
    await writeFile(file, 'ledger');
    const upload = async (cli: typeof cliAlice) => (await cli(['upload', file])).json.documentId as string;
    const id = (await cliAlice(['group', 'create', 'Finance'])).json.groupId as string;
    expect((await cliAlice(['group', 'add', id, '--user', 'bob,carol'])).code).toBe(0);
    expect((await cliAlice(['group', 'role', id, 'carol', 'admin'])).code).toBe(0);
    expect((await cliAlice(['share', await upload(cliAlice), `g:${id}`])).code).toBe(0);
    expect((await cliCarol(['share', await upload(cliCarol), `g:${id}`])).code).toBe(0);

    // Act: alice removes bob (her client rotates the group key), then shares with the group again
    expect((await cliAlice(['group', 'remove', id, '--user', 'bob'])).json).toMatchObject({ removed: ['u:bob'], keyGeneration: 2 });
    const own = await cliAlice(['share', await upload(cliAlice), `g:${id}`]);
    // a document key alice rotates herself is no alarm either (node keys are never pinned)
    const rotatedDoc = await upload(cliAlice);
    expect((await cliAlice(['rotate', rotatedDoc, '--key-only'])).code).toBe(0);
    const afterDocRotation = await cliAlice(['share', rotatedDoc, `g:${id}`]);
    // carol pinned generation 1 and did not make generation 2
    const other = await cliCarol(['share', await upload(cliCarol), `g:${id}`]);

    // Assess
    expect(own).toMatchObject({ code: 0, json: { sharedWith: [`g:${id}`] } });
    expect(afterDocRotation).toMatchObject({ code: 0, json: { sharedWith: [`g:${id}`] } });
    // upload --share takes groups as share does (it used to send g: ids to the user lookup)
    const uploaded = await cliAlice(['upload', file, '--share', `g:${id},dave`]);
    expect(uploaded).toMatchObject({ code: 0, json: { sharedWith: ['dave', `g:${id}`] } });
    expect((await cliCarol(['download', uploaded.json.documentId, '-o', join(root, 'via-group.txt')])).code).toBe(0); // carol, through the group
    const unknownGroup = await cliAlice(['upload', file, '--share', 'g:AAAAAAAAAAAAAAAAAAAAAA']);
    expect([unknownGroup.code, unknownGroup.json.error.code]).toEqual([4, 'GROUP_NOT_FOUND']);
    expect([other.code, other.json.error.code]).toEqual([5, 'KEY_CHANGED']);

    // Act: the server hands out a substituted key for the group (what key pinning is for)
    const fake = await generateGroupKeyPair();
    const meta = (await item(keys.groupMeta(id)))!;
    await stack.deps.db.doc.send(
      new PutCommand({ TableName: stack.table, Item: { ...meta, publicKey: b64(fake.publicKeySpki), fingerprint: await fingerprint(fake.publicKeySpki) } }),
    );
    const substituted = await cliAlice(['share', await upload(cliAlice), `g:${id}`]);

    // Assess: alice's pin is her own generation 2, so the substitute is refused
    expect([substituted.code, substituted.json.error.code]).toEqual([5, 'KEY_CHANGED']);
  }, 60_000);
});

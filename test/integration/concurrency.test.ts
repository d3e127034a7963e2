import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { readAuditEvents } from '../../shared/server/data/auditChain.js';
import { verifyAuditLog } from '../../shared/server/audit/verifyAuditLog.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encryptMetadata, generateDataKey, toBase64Url, wrapKey, wrapKeyUnderKey } from '../../shared/core/crypto/index.js';
import { keys } from '../../shared/server/data/keys.js';
import { type Actor, newDocumentId, register, shareGrant, upload } from '../helpers/actors.js';
import { api, type ApiResponse } from '../helpers/http.js';
import { type LocalStack, startLocalStack } from '../helpers/localStack.js';

/**
 * Acceptance (issue 3): 50 parallel share / revoke / level-change / move requests on the same
 * nodes leave a consistent registry: no lost update, no orphan key. Every request is retried on
 * 409 CONCURRENT_UPDATE (what the SDK does), so every one of them must finally take effect.
 */
let stack: LocalStack;
let url: string;
let alice: Actor;
let users: Actor[];

beforeAll(async () => {
  stack = await startLocalStack();
  url = stack.url;
  alice = await register(url, 'alice');
  users = await Promise.all(Array.from({ length: 40 }, (_, i) => register(url, `user${String(i).padStart(2, '0')}`)));
}); // 41 registrations, on the test key pool
afterAll(() => stack?.stop());

async function createFolder(owner: Actor, parent?: { folderId: string; key: Uint8Array }) {
  const folderId = newDocumentId();
  const key = generateDataKey();
  const body: Record<string, unknown> = {
    folderId,
    encryptedName: await encryptMetadata(key, folderId, 'name', `folder ${folderId}`),
    keyGeneration: 1,
    ownerWrappedKey: toBase64Url(await wrapKey(owner.publicKey, key, { kind: 'folder', resourceId: folderId, generation: 1, recipientId: `u:${owner.userId}` })),
    fingerprint: owner.fingerprint,
  };
  if (parent) {
    body.parentId = parent.folderId;
    body.parentWrap = await wrapKeyUnderKey(parent.key, key, { kind: 'folder-child', resourceId: folderId, generation: 1, parentId: parent.folderId, parentGeneration: 1 });
    body.parentKeyGeneration = 1;
  }
  const res = await api(url, 'POST', '/folders', { token: owner.accessToken, body });
  if (res.status !== 201) throw new Error(`createFolder: ${res.status} ${JSON.stringify(res.body)}`);
  return { folderId, key };
}

/** Retries on 409 CONCURRENT_UPDATE with jitter, as the SDK does; any other answer is final. */
async function untilApplied(send: () => Promise<ApiResponse>): Promise<{ res: ApiResponse; attempts: number }> {
  for (let attempt = 1; ; attempt++) {
    const res = await send();
    if (res.status !== 409 || res.body?.error?.code !== 'CONCURRENT_UPDATE' || attempt >= 200) return { res, attempts: attempt };
    await new Promise((r) => setTimeout(r, Math.random() * 20 * Math.min(attempt, 10)));
  }
}

async function partition(id: string) {
  const out = await stack.deps.db.doc.send(
    new QueryCommand({ TableName: stack.table, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': keys.nodePartition(id) }, ConsistentRead: true }),
  );
  return out.Items ?? [];
}

describe('50 concurrent registry changes on the same nodes', () => {
  it('apply every change exactly once and leave the ACL, the grants, the pointers and the paths consistent', async () => {
    // Ten destinations, one per move: a move to the folder a node is already in is a 422 SAME_PARENT.
    const folders = await Promise.all(Array.from({ length: 10 }, () => createFolder(alice)));
    const doc = await upload(url, alice, new TextEncoder().encode('contended'), 'c.txt');
    const sharers = users.slice(0, 20);
    const revokees = users.slice(20, 30);
    const promoted = users.slice(30, 40);
    // Before the storm: revokees and promoted hold viewer grants.
    const pre = await api(url, 'POST', `/nodes/${doc.documentId}/share`, {
      token: alice.accessToken,
      body: { keyGeneration: 1, grants: await Promise.all([...revokees, ...promoted].map((u) => shareGrant(u, doc.documentId, doc.dek))) },
    });
    expect(pre.status).toBe(200);

    const moveTo = async (folder: { folderId: string; key: Uint8Array }) => ({
      parentId: folder.folderId,
      parentWrap: await wrapKeyUnderKey(folder.key, doc.dek, { kind: 'folder-child', resourceId: doc.documentId, generation: 1, parentId: folder.folderId, parentGeneration: 1 }),
      parentKeyGeneration: 1,
    });
    const moves = await Promise.all(folders.map((f) => moveTo(f)));
    const shareBodies = await Promise.all(sharers.map(async (u) => ({ keyGeneration: 1, grants: [await shareGrant(u, doc.documentId, doc.dek, 'commenter')] })));
    const token = alice.accessToken;
    const requests: (() => Promise<ApiResponse>)[] = [
      ...shareBodies.map((body) => () => api(url, 'POST', `/nodes/${doc.documentId}/share`, { token, body })),
      ...revokees.map((u) => () => api(url, 'POST', `/nodes/${doc.documentId}/revoke`, { token, body: { principalIds: [`u:${u.userId}`] } })),
      ...promoted.map((u) => () => api(url, 'PUT', `/nodes/${doc.documentId}/grants/u:${u.userId}`, { token, body: { role: 'editor' } })),
      ...moves.map((body) => () => api(url, 'POST', `/nodes/${doc.documentId}/move`, { token, body })),
    ];
    expect(requests).toHaveLength(50);
    const results = await Promise.all(requests.map((send) => untilApplied(send)));
    for (const { res } of results) expect([res.status, res.body?.error?.code]).toEqual([200, undefined]);

    // No lost update: the final registry is exactly the sum of all changes.
    const items = await partition(doc.documentId);
    const meta = items.find((i) => i.sk === 'META')!;
    const expected: Record<string, { role: string }> = { 'u:alice': { role: 'owner' } };
    for (const u of sharers) expected[`u:${u.userId}`] = { role: 'commenter' };
    for (const u of promoted) expected[`u:${u.userId}`] = { role: 'editor' };
    expect(meta.acl).toEqual(expected);

    // No orphan key and no missing one: the grant items are exactly the ACL, with the same levels.
    const grants = items.filter((i) => String(i.sk).startsWith('GRANT#'));
    expect(Object.fromEntries(grants.map((g) => [g.principalId, { role: g.role }]))).toEqual(expected);
    for (const g of grants) expect(g.keyGeneration).toBe(meta.keyGeneration);

    // The tree: one pointer, in the folder the META names, and the path that goes with it.
    expect(folders.map((f) => f.folderId)).toContain(meta.parentId);
    expect(meta.path).toEqual([meta.parentId]);
    const pointers = (await Promise.all(folders.map((f) => partition(f.folderId)))).flat().filter((i) => i.sk === `CHILD#${doc.documentId}`);
    expect(pointers.map((p) => p.pk)).toEqual([keys.nodePartition(meta.parentId)]);
    // Every change committed exactly once: create (1) + complete (+1) + the pre-share (+1) + 50 changes.
    expect(meta.rev).toBe(2 + 1 + 50);

    // The audit log: one success event per applied change, one failure per refused attempt, none lost.
    const events = (await readAuditEvents(stack.deps.db)).filter(
      (e) => e.resourceId === doc.documentId && ['shareNode', 'revokeNode', 'changeGrant', 'moveNode'].includes(e.operation),
    );
    expect(events.filter((e) => e.outcome === 'success')).toHaveLength(1 + 50); // the pre-share and the 50 changes
    const refused = results.reduce((n, r) => n + r.attempts - 1, 0);
    expect(events.filter((e) => e.outcome === 'failure' && e.errorCode === 'CONCURRENT_UPDATE')).toHaveLength(refused);
    expect((await verifyAuditLog(stack.deps)).ok).toBe(true);
  }, 60_000); // 50 contended changes, each refused attempt audited too
});

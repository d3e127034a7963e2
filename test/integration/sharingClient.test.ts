import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CofferClient } from '../../client/sdk/CofferClient.js';
import { MemoryKeyPinStore } from '../../client/sdk/KeyPinStore.js';
import { TEST_KDF } from '../../shared/core/crypto/index.js';
import { type LocalStack, startLocalStack } from '../helpers/localStack.js';
import { readAll } from '../helpers/streams.js';
import { createRawFolder, uploadIntoFolder } from '../unit/client/support/rawTree.js';
import { pseudoRandomBytes as bytes } from '../helpers/pseudoRandomBytes.js';
import { rejection as failure } from '../helpers/rejection.js';

/**
 * Sharing through the SDK against the real handlers on DynamoDB Local and s3rver: levels and
 * expiry (the server's clock moved forward), editors who may share, managers' limits, where
 * permissions come from, ownership transfer, revocation, and a key shared with a group.
 */

const HOUR = 3_600_000;

let stack: LocalStack;
let clockOffsetMs = 0;
const serverNow = () => Date.now() + clockOffsetMs;
const clients: Record<string, CofferClient> = {};

async function readsBack(client: CofferClient, documentId: string, expected: Uint8Array): Promise<boolean> {
  const down = await client.download(documentId);
  return Buffer.from(await readAll(down.stream)).equals(expected);
}

beforeAll(async () => {
  stack = await startLocalStack({ clock: serverNow });
  await Promise.all(
    ['ann', 'ben', 'cal', 'dee', 'eli'].map(async (userId) => {
      const client = new CofferClient({ serverUrl: stack.url, pinStore: new MemoryKeyPinStore(), tuning: { allowWeakKdf: true } });
      await client.register({ userId, name: userId, passphrase: `${userId}-sharing-client-passphrase`, kdf: TEST_KDF });
      clients[userId] = client;
    }),
  );
});

afterAll(async () => {
  await stack?.stop();
});

describe('sharing through the SDK on the local stack', () => {
  it('grants a level with an expiry; once the server clock passes it the recipient gets 404', async () => {
    const { ann, ben } = clients as Record<string, CofferClient>;
    const data = bytes(70_000, 1);
    const { documentId } = await ann!.upload(data, { name: 'expiring.pdf' });
    const expiresAt = new Date(serverNow() + HOUR);

    expect(await ann!.share(documentId, { userIds: ['ben'] }, { role: 'commenter', expiresAt })).toEqual({
      nodeId: documentId,
      sharedWith: ['u:ben'],
      alreadyShared: [],
    });
    expect(await readsBack(ben!, documentId, data)).toBe(true);
    expect(await ben!.checkAccess([documentId])).toEqual([
      { nodeId: documentId, role: 'commenter', capabilities: ['view', 'download', 'comment'] },
    ]);
    expect((await ann!.permissions(documentId)).entries).toContainEqual({
      principalId: 'u:ben',
      principalKind: 'user',
      role: 'commenter',
      source: 'direct',
      expiresAt: expiresAt.toISOString(),
    });
    expect((await ben!.list()).documents.map((d) => d.documentId)).toContain(documentId);

    clockOffsetMs += 2 * HOUR; // access tokens expire too: the SDK refreshes them on the way
    expect(await failure(ben!.download(documentId))).toMatchObject({ status: 404, code: 'DOCUMENT_NOT_FOUND' });
    expect(await ben!.checkAccess([documentId])).toEqual([]);
    expect((await ben!.list()).documents.map((d) => d.documentId)).not.toContain(documentId);
    expect((await ann!.permissions(documentId)).entries.map((e) => e.principalId)).toEqual(['u:ann']);

    // an expiry in the past or more than a year ahead is refused
    expect(await failure(ann!.share(documentId, { userIds: ['cal'] }, { expiresAt: new Date(serverNow() - HOUR) }))).toMatchObject({
      status: 422,
      code: 'BAD_EXPIRY',
    });
    expect(
      await failure(ann!.share(documentId, { userIds: ['cal'] }, { expiresAt: new Date(serverNow() + 400 * 24 * HOUR) })),
    ).toMatchObject({ status: 422, code: 'BAD_EXPIRY' });
  });

  it('an editor shares up to editor while editorsCanShare is on; refused once the owner turns it off', async () => {
    const { ann, cal, dee, eli } = clients as Record<string, CofferClient>;
    const data = bytes(5000, 2);
    const { documentId } = await ann!.upload(data, { name: 'editable.txt' });
    await ann!.share(documentId, { userIds: ['cal'] }, { role: 'editor' });

    expect(await cal!.share(documentId, { userIds: ['dee'] }, { role: 'editor' })).toMatchObject({ sharedWith: ['u:dee'] });
    expect(await readsBack(dee!, documentId, data)).toBe(true);
    expect(await failure(cal!.share(documentId, { userIds: ['eli'] }, { role: 'manager' }))).toMatchObject({ status: 403, code: 'LEVEL_TOO_HIGH' });
    expect(await failure(cal!.revoke(documentId, ['dee']))).toMatchObject({ status: 403, code: 'CANNOT_MANAGE' });

    expect(await failure(cal!.setEditorsCanShare(documentId, false))).toMatchObject({ status: 403, code: 'NOT_OWNER' });
    expect(await ann!.setEditorsCanShare(documentId, false)).toEqual({ nodeId: documentId, settings: { editorsCanShare: false } });
    expect(await failure(cal!.share(documentId, { userIds: ['eli'] }))).toMatchObject({ status: 403, code: 'CANNOT_SHARE' });
    expect((await cal!.checkAccess([documentId]))[0]!.capabilities).not.toContain('share');
    expect(await failure(eli!.download(documentId))).toMatchObject({ status: 404 });

    await ann!.setEditorsCanShare(documentId, true);
    expect(await cal!.share(documentId, { userIds: ['eli'] })).toMatchObject({ sharedWith: ['u:eli'] });
  });

  it('a manager grants, changes and revokes up to manager, and never touches the owner', async () => {
    const { ann, ben, eli } = clients as Record<string, CofferClient>;
    const { documentId } = await ann!.upload(bytes(100, 3), { name: 'managed.txt' });
    await ann!.share(documentId, { userIds: ['ben'] }, { role: 'manager' });

    expect(await ben!.share(documentId, { userIds: ['eli'] }, { role: 'manager' })).toMatchObject({ sharedWith: ['u:eli'] });
    expect(await ben!.setRole(documentId, 'eli', 'viewer')).toEqual({ nodeId: documentId, principalId: 'u:eli', role: 'viewer' });
    expect(await failure(ben!.setRole(documentId, 'ann', 'viewer'))).toMatchObject({ status: 403, code: 'CANNOT_REVOKE_OWNER' });
    expect(await failure(ben!.revoke(documentId, ['ann']))).toMatchObject({ status: 403, code: 'CANNOT_REVOKE_OWNER' });
    expect(await failure(ben!.transferOwnership(documentId, 'eli'))).toMatchObject({ status: 403, code: 'NOT_OWNER' });
    expect(await failure(ben!.setEditorsCanShare(documentId, false))).toMatchObject({ status: 403, code: 'NOT_OWNER' });
    expect(await ben!.revoke(documentId, ['eli', 'cal'])).toEqual({ nodeId: documentId, revoked: ['u:eli'], notShared: ['u:cal'], keyGeneration: 2, staleLinks: 0 });
    expect(await failure(eli!.download(documentId))).toMatchObject({ status: 404, code: 'DOCUMENT_NOT_FOUND' });
    // anyone may leave
    expect(await ben!.revoke(documentId, ['ben'])).toMatchObject({ revoked: ['u:ben'] });
    expect(await failure(ben!.permissions(documentId))).toMatchObject({ status: 404, code: 'NODE_NOT_FOUND' });
  });

  it('permissions name their source: direct, or inherited from the folder; the key comes down the tree', async () => {
    const { ann, dee } = clients as Record<string, CofferClient>;
    const folder = await createRawFolder(ann!, 'Quarterly');
    const data = bytes(9000, 4);
    const documentId = await uploadIntoFolder(ann!, (u, i) => fetch(u, i), folder, data, 'q3.xlsx');
    await ann!.share(folder.folderId, { userIds: ['dee'] }, { role: 'editor' });

    const perms = await ann!.permissions(documentId);
    expect(perms).toMatchObject({ nodeId: documentId, ownerId: 'ann', limited: false });
    expect(perms.entries).toEqual(
      expect.arrayContaining([
        { principalId: 'u:ann', principalKind: 'user', role: 'owner', source: 'direct' },
        { principalId: 'u:dee', principalKind: 'user', role: 'editor', source: 'inherited', inheritedFrom: folder.folderId },
      ]),
    );
    expect(perms.entries).toHaveLength(2);
    expect(await readsBack(dee!, documentId, data)).toBe(true);
    const listed = await dee!.list();
    expect(listed.documents.find((d) => d.documentId === folder.folderId)).toMatchObject({ kind: 'folder', name: 'Quarterly', role: 'editor' });

    // inherited access is not revoked on the document, only on the folder
    expect(await ann!.revoke(documentId, ['dee'])).toEqual({ nodeId: documentId, revoked: [], notShared: ['u:dee'], staleLinks: 0 });
    expect(await ann!.revoke(folder.folderId, ['dee'])).toMatchObject({ revoked: ['u:dee'] });
    expect(await failure(dee!.download(documentId))).toMatchObject({ status: 404, code: 'DOCUMENT_NOT_FOUND' });
  });

  it('transfers ownership to a member who holds the key; the old owner becomes manager', async () => {
    const { ann, ben, cal } = clients as Record<string, CofferClient>;
    const data = bytes(300, 5);
    const { documentId } = await ann!.upload(data, { name: 'handover.doc', shareWith: ['ben'] });

    expect(await failure(ann!.transferOwnership(documentId, 'cal'))).toMatchObject({ status: 422, code: 'NEW_OWNER_HAS_NO_KEY' });
    expect(await ann!.transferOwnership(documentId, 'ben')).toEqual({
      nodeId: documentId,
      ownerId: 'ben',
      previousOwner: { userId: 'ann', role: 'manager' },
    });
    const perms = await ben!.permissions(documentId);
    expect(perms.ownerId).toBe('ben');
    expect(perms.entries).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ principalId: 'u:ben', role: 'owner', source: 'direct' }),
        expect.objectContaining({ principalId: 'u:ann', role: 'manager', source: 'direct' }),
      ]),
    );
    expect(await failure(ann!.setEditorsCanShare(documentId, false))).toMatchObject({ status: 403, code: 'NOT_OWNER' });
    expect(await ben!.setEditorsCanShare(documentId, false)).toMatchObject({ settings: { editorsCanShare: false } });
    expect(await ann!.share(documentId, { userIds: ['cal'] })).toMatchObject({ sharedWith: ['u:cal'] }); // managers still share
    expect(await readsBack(cal!, documentId, data)).toBe(true);
    expect(await failure(ann!.remove(documentId))).toMatchObject({ status: 403, code: 'NOT_OWNER' });
  });

  it('revoke: the recipient gets 404 on the document and on the node', async () => {
    const { ann, eli } = clients as Record<string, CofferClient>;
    const data = bytes(1000, 6);
    const { documentId } = await ann!.upload(data, { name: 'revoked.txt' });
    await ann!.share(documentId, { userIds: ['eli'] });
    expect(await readsBack(eli!, documentId, data)).toBe(true);
    expect(await ann!.revoke(documentId, ['eli'])).toEqual({ nodeId: documentId, revoked: ['u:eli'], notShared: [], keyGeneration: 2, staleLinks: 0 });
    expect(await failure(eli!.download(documentId))).toMatchObject({ status: 404, code: 'DOCUMENT_NOT_FOUND' });
    expect(await failure(eli!.permissions(documentId))).toMatchObject({ status: 404, code: 'NODE_NOT_FOUND' });
    expect(await ann!.revoke(documentId, ['eli'])).toEqual({ nodeId: documentId, revoked: [], notShared: ['u:eli'], staleLinks: 0 });
  });

  it('a document key shared with a group is opened by a member through the group keyring', async () => {
    const { ann, ben, cal } = clients as Record<string, CofferClient>;
    const team = await cal!.createGroup('Auditors');
    await cal!.addGroupMembers(team.groupId, [{ userId: 'ben' }]);
    const data = bytes(20_000, 7);
    const { documentId } = await ann!.upload(data, { name: 'audit.pdf' });

    expect(await ann!.share(documentId, { groupIds: [team.groupId] }, { role: 'commenter' })).toEqual({
      nodeId: documentId,
      sharedWith: [`g:${team.groupId}`],
      alreadyShared: [],
    });
    expect(await readsBack(ben!, documentId, data)).toBe(true);
    expect(await readsBack(cal!, documentId, data)).toBe(true);
    expect((await ann!.permissions(documentId)).entries).toContainEqual({
      principalId: `g:${team.groupId}`,
      principalKind: 'group',
      role: 'commenter',
      source: 'direct',
    });
    expect(await ann!.share(documentId, { groupIds: [`g:${team.groupId}`] })).toMatchObject({ alreadyShared: [`g:${team.groupId}`] });

    // ben leaves the group: the key rotates and the grant is re-wrapped; ben is refused
    await cal!.removeGroupMembers(team.groupId, [{ userId: 'ben' }]);
    expect(await failure(ben!.download(documentId))).toMatchObject({ status: 404, code: 'DOCUMENT_NOT_FOUND' });
    expect(await readsBack(cal!, documentId, data)).toBe(true);

    // ann pinned the group's first key: the rotated one is refused until she accepts it
    const next = await ann!.upload(bytes(10, 8), { name: 'audit-2.pdf' });
    expect(await failure(ann!.share(next.documentId, { groupIds: [team.groupId] }))).toMatchObject({ code: 'KEY_CHANGED' });
    // cal made the new key herself (removing ben): her client pinned it, so her next share is no alarm
    const cals = await cal!.upload(bytes(10, 9), { name: 'audit-3.pdf' });
    expect(await cal!.share(cals.documentId, { groupIds: [team.groupId] })).toMatchObject({ sharedWith: [`g:${team.groupId}`] });
    expect(await ann!.share(next.documentId, { groupIds: [team.groupId] }, { acceptNewKeyFor: [`g:${team.groupId}`] })).toMatchObject({
      sharedWith: [`g:${team.groupId}`],
    });
    expect(await readsBack(cal!, next.documentId, bytes(10, 8))).toBe(true);
  });
});

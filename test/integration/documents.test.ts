import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { s3Client } from '../../shared/server/config/clients.js';
import { encryptBytes, encryptMetadata, generateDataKey, generateUserKeyPair, fingerprint, toBase64Url } from '../../shared/core/crypto/index.js';
import { type Actor, download, grantFor, newDocumentId, register, shareGrant, upload } from '../helpers/actors.js';
import { api } from '../helpers/http.js';
import { type LocalStack, startLocalStack } from '../helpers/localStack.js';

let stack: LocalStack;
let url: string;
let alice: Actor, bob: Actor, charlie: Actor, david: Actor, mallory: Actor;
const text = (s: string) => new TextEncoder().encode(s);

beforeAll(async () => {
  stack = await startLocalStack({ settings: { multipartThreshold: 3 * 1024 * 1024, partSize: 1024 * 1024 } });
  url = stack.url;
  [alice, bob, charlie, david, mallory] = (await Promise.all(['alice', 'bob', 'charlie', 'david', 'mallory'].map((u) => register(url, u)))) as [
    Actor, Actor, Actor, Actor, Actor,
  ];
});
afterAll(() => stack?.stop());

async function partitionItems(documentId: string) {
  const out = await stack.deps.db.doc.send(
    new QueryCommand({ TableName: stack.table, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': `NODE#${documentId}` } }),
  );
  return out.Items ?? [];
}

describe('the seed flow', () => {
  it('uploads and shares, lists, downloads, shares more, revokes and deletes', async () => {
    const plaintext = text('Q3 payroll: confidential');
    const doc = await upload(url, alice, plaintext, 'payroll.pdf', [bob, charlie]);

    const listed = await api(url, 'GET', '/documents', { token: bob.accessToken });
    expect(listed.status).toBe(200);
    expect(listed.body.documents.map((d: { documentId: string }) => d.documentId)).toContain(doc.documentId);
    expect(await download(url, bob, doc.documentId)).toEqual(plaintext);
    expect(await download(url, charlie, doc.documentId)).toEqual(plaintext);

    const shared = await api(url, 'POST', `/nodes/${doc.documentId}/share`, {
      token: alice.accessToken,
      body: { keyGeneration: 1, grants: [await shareGrant(david, doc.documentId, doc.dek)] },
    });
    expect(shared.status).toBe(200);
    expect(shared.body.sharedWith).toEqual(['u:david']);
    expect(await download(url, david, doc.documentId)).toEqual(plaintext);

    const revoked = await api(url, 'POST', `/nodes/${doc.documentId}/revoke`, { token: alice.accessToken, body: { principalIds: ['u:bob'] } });
    expect(revoked.status).toBe(200);
    const bobGet = await api(url, 'GET', `/documents/${doc.documentId}`, { token: bob.accessToken });
    expect(bobGet.status).toBe(404);
    expect(bobGet.body.error.code).toBe('DOCUMENT_NOT_FOUND');
    const bobList = await api(url, 'GET', '/documents', { token: bob.accessToken });
    expect(bobList.body.documents.map((d: { documentId: string }) => d.documentId)).not.toContain(doc.documentId);

    const perms = await api(url, 'GET', `/nodes/${doc.documentId}/permissions`, { token: alice.accessToken });
    expect(perms.body.entries.map((e: { principalId: string }) => e.principalId).sort()).toEqual(['u:alice', 'u:charlie', 'u:david']);

    const deleted = await api(url, 'DELETE', `/documents/${doc.documentId}`, { token: alice.accessToken });
    expect(deleted.status).toBe(204);
    for (const actor of [alice, charlie, david]) {
      expect((await api(url, 'GET', `/documents/${doc.documentId}`, { token: actor.accessToken })).status).toBe(404);
    }
    expect(await partitionItems(doc.documentId)).toEqual([]);
    const objects = await s3Client(stack.endpoints).send(new ListObjectsV2Command({ Bucket: stack.bucket, Prefix: `docs/${doc.documentId}/` }));
    expect(objects.KeyCount ?? 0).toBe(0);
  });

  it('looks users up by id, with their keys and fingerprints, and lists unknown ids', async () => {
    const res = await api(url, 'GET', '/users?ids=bob,charlie,nobody', { token: alice.accessToken });
    expect(res.status).toBe(200);
    expect(res.body.unknownUserIds).toEqual(['nobody']);
    const bobProfile = res.body.users.find((u: { userId: string }) => u.userId === 'bob');
    expect(bobProfile.fingerprint).toBe(bob.fingerprint);
    expect(bobProfile.publicKey).toBe(toBase64Url(bob.publicKeySpki));
    expect(bobProfile).not.toHaveProperty('email');
  });
});

describe('authorization', () => {
  it('answers a stranger and an unknown id with the same 404', async () => {
    const doc = await upload(url, alice, text('secret'), 'a.txt', [bob]);
    const stranger = await api(url, 'GET', `/documents/${doc.documentId}`, { token: mallory.accessToken });
    const unknown = await api(url, 'GET', `/documents/${newDocumentId()}`, { token: mallory.accessToken });
    expect(stranger.status).toBe(404);
    expect(stranger.body).toEqual(unknown.body);
  });

  it('refuses share, revoke and delete by a viewer with 403, and by a stranger with 404', async () => {
    const doc = await upload(url, alice, text('secret'), 'a.txt', [bob]);
    const shareBody = { keyGeneration: 1, grants: [await shareGrant(mallory, doc.documentId, doc.dek)] };
    for (const [actor, status] of [
      [bob, 403],
      [mallory, 404],
    ] as const) {
      const share = await api(url, 'POST', `/nodes/${doc.documentId}/share`, { token: actor.accessToken, body: shareBody });
      const revoke = await api(url, 'POST', `/nodes/${doc.documentId}/revoke`, { token: actor.accessToken, body: { principalIds: ['u:alice'] } });
      const del = await api(url, 'DELETE', `/documents/${doc.documentId}`, { token: actor.accessToken });
      expect([share.status, revoke.status, del.status]).toEqual([status, status, status]);
      if (status === 403) {
        expect([share.body.error.code, revoke.body.error.code, del.body.error.code]).toEqual(['CANNOT_SHARE', 'CANNOT_MANAGE', 'NOT_OWNER']);
      }
    }
    expect(await download(url, alice, doc.documentId)).toEqual(text('secret'));
    expect((await api(url, 'GET', `/documents/${doc.documentId}`, { token: mallory.accessToken })).status).toBe(404);
  });

  it('cannot complete, or read the pending upload of, another user (BOLA)', async () => {
    const documentId = newDocumentId();
    const dek = generateDataKey();
    const ct = await encryptBytes(dek, { documentId, version: 1 }, text('x'));
    await api(url, 'POST', '/documents', {
      token: alice.accessToken,
      body: { documentId, size: ct.length, keyGeneration: 1, encryptedName: await encryptMetadata(dek, documentId, 'name', 'x'), grants: [await grantFor(alice, documentId, dek)] },
    });
    const res = await api(url, 'POST', `/documents/${documentId}/complete`, { token: mallory.accessToken, body: {} });
    expect(res.status).toBe(404);
    expect((await api(url, 'GET', `/documents/${documentId}`, { token: alice.accessToken })).status).toBe(404);
  });

  it('refuses to create a document whose grants omit the owner', async () => {
    const documentId = newDocumentId();
    const dek = generateDataKey();
    const res = await api(url, 'POST', '/documents', {
      token: alice.accessToken,
      body: { documentId, size: 100, keyGeneration: 1, encryptedName: await encryptMetadata(dek, documentId, 'name', 'x'), grants: [await grantFor(bob, documentId, dek)] },
    });
    expect(res.status).toBe(400);
  });
});

describe('share and revoke are atomic', () => {
  it('shares with nobody when one user is unknown, and names the unknown ones', async () => {
    const doc = await upload(url, alice, text('atomic'), 'a.txt');
    const ghost = { ...(await shareGrant(bob, doc.documentId, doc.dek)), principalId: 'u:ghost' };
    const res = await api(url, 'POST', `/nodes/${doc.documentId}/share`, {
      token: alice.accessToken,
      body: { keyGeneration: 1, grants: [await shareGrant(bob, doc.documentId, doc.dek), ghost] },
    });
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe('UNKNOWN_PRINCIPALS');
    expect(res.body.error.details.principalIds).toEqual(['u:ghost']);
    expect((await api(url, 'GET', `/documents/${doc.documentId}`, { token: bob.accessToken })).status).toBe(404);
  });

  it('shares with nobody when one user already has access', async () => {
    const doc = await upload(url, alice, text('atomic'), 'a.txt', [bob]);
    const res = await api(url, 'POST', `/nodes/${doc.documentId}/share`, {
      token: alice.accessToken,
      body: { keyGeneration: 1, grants: [await shareGrant(charlie, doc.documentId, doc.dek), await shareGrant(bob, doc.documentId, doc.dek)] },
    });
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('ALREADY_SHARED');
    expect(res.body.error.details.principalIds).toEqual(['u:bob']);
    expect((await api(url, 'GET', `/documents/${doc.documentId}`, { token: charlie.accessToken })).status).toBe(404);
  });

  it('revokes nobody when one listed user holds no grant', async () => {
    const doc = await upload(url, alice, text('atomic'), 'a.txt', [bob]);
    const res = await api(url, 'POST', `/nodes/${doc.documentId}/revoke`, { token: alice.accessToken, body: { principalIds: ['u:bob', 'u:charlie'] } });
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('NOT_SHARED');
    expect(res.body.error.details.principalIds).toEqual(['u:charlie']);
    expect(await download(url, bob, doc.documentId)).toEqual(text('atomic'));
  });

  it('refuses to revoke the owner', async () => {
    const doc = await upload(url, alice, text('x'), 'a.txt');
    const res = await api(url, 'POST', `/nodes/${doc.documentId}/revoke`, { token: alice.accessToken, body: { principalIds: ['u:alice'] } });
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('CANNOT_REVOKE_OWNER');
  });

  it('refuses a key wrapped for a public key that is not the user’s current one (STALE_PUBLIC_KEY)', async () => {
    const doc = await upload(url, alice, text('x'), 'a.txt');
    const other = await generateUserKeyPair();
    const res = await api(url, 'POST', `/nodes/${doc.documentId}/share`, {
      token: alice.accessToken,
      body: { keyGeneration: 1, grants: [{ ...(await shareGrant(bob, doc.documentId, doc.dek)), fingerprint: await fingerprint(other.publicKeySpki) }] },
    });
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('STALE_PUBLIC_KEY');
  });

  it('refuses a share that claims a stale key generation', async () => {
    const doc = await upload(url, alice, text('x'), 'a.txt');
    const res = await api(url, 'POST', `/nodes/${doc.documentId}/share`, {
      token: alice.accessToken,
      body: { keyGeneration: 2, grants: [await shareGrant(bob, doc.documentId, doc.dek, 'viewer', { generation: 2 })] },
    });
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('KEY_CHANGED');
  });
});

describe('wrapped keys are bound to their row', () => {
  it('a wrapped key copied from another document does not unwrap', async () => {
    const a = await upload(url, alice, text('a'), 'a.txt', [bob]);
    const b = await upload(url, alice, text('b'), 'b.txt', [bob]);
    const got = await api(url, 'GET', `/documents/${a.documentId}`, { token: bob.accessToken });
    const { unwrapKey } = await import('../../shared/core/crypto/index.js');
    await expect(
      unwrapKey(bob.privateKey, Buffer.from(got.body.wrappedKey, 'base64url'), { kind: 'dek', resourceId: b.documentId, generation: 1, recipientId: 'u:bob' }),
    ).rejects.toMatchObject({ code: 'DECRYPTION_FAILED' });
  });
});

describe('uploads', () => {
  it('refuses to complete before the ciphertext is uploaded, and on a size mismatch', async () => {
    const documentId = newDocumentId();
    const dek = generateDataKey();
    const ct = await encryptBytes(dek, { documentId, version: 1 }, text('hello'));
    const created = await api(url, 'POST', '/documents', {
      token: alice.accessToken,
      body: { documentId, size: ct.length, keyGeneration: 1, encryptedName: await encryptMetadata(dek, documentId, 'name', 'h'), grants: [await grantFor(alice, documentId, dek)] },
    });
    const early = await api(url, 'POST', `/documents/${documentId}/complete`, { token: alice.accessToken, body: {} });
    expect(early.status).toBe(409);
    expect(early.body.error.code).toBe('UPLOAD_MISSING');
    await fetch(created.body.upload.url, { method: 'PUT', body: Buffer.from(ct.subarray(0, ct.length - 1)) });
    const short = await api(url, 'POST', `/documents/${documentId}/complete`, { token: alice.accessToken, body: {} });
    expect(short.status).toBe(422);
    expect(short.body.error.code).toBe('SIZE_MISMATCH');
  });

  it('lets the owner cancel a pending upload with DELETE, removing its object and items', async () => {
    const documentId = newDocumentId();
    const dek = generateDataKey();
    const ct = await encryptBytes(dek, { documentId, version: 1 }, text('never completed'));
    const created = await api(url, 'POST', '/documents', {
      token: alice.accessToken,
      body: { documentId, size: ct.length, keyGeneration: 1, encryptedName: await encryptMetadata(dek, documentId, 'name', 'p'), grants: [await grantFor(alice, documentId, dek)] },
    });
    await fetch(created.body.upload.url, { method: 'PUT', body: Buffer.from(ct) });
    expect((await api(url, 'DELETE', `/documents/${documentId}`, { token: mallory.accessToken })).status).toBe(404);
    expect((await api(url, 'DELETE', `/documents/${documentId}`, { token: alice.accessToken })).status).toBe(204);
    expect(await partitionItems(documentId)).toEqual([]);
    const objects = await s3Client(stack.endpoints).send(new ListObjectsV2Command({ Bucket: stack.bucket, Prefix: `docs/${documentId}/` }));
    expect(objects.KeyCount ?? 0).toBe(0);
  });

  it('refuses a reused document id with 409 DOCUMENT_EXISTS', async () => {
    const doc = await upload(url, alice, text('x'), 'a.txt');
    const res = await api(url, 'POST', '/documents', {
      token: mallory.accessToken,
      body: { documentId: doc.documentId, size: 100, keyGeneration: 1, encryptedName: 'A'.repeat(40), grants: [await grantFor(mallory, doc.documentId, doc.dek)] },
    });
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('DOCUMENT_EXISTS');
  });

  it('uploads a large file through presigned multipart parts', async () => {
    const documentId = newDocumentId();
    const dek = generateDataKey();
    const plaintext = crypto.getRandomValues(new Uint8Array(65536)).map((_, i) => i % 251);
    const big = new Uint8Array(4 * 1024 * 1024 + 123);
    for (let i = 0; i < big.length; i += plaintext.length) big.set(plaintext.subarray(0, Math.min(plaintext.length, big.length - i)), i);
    const ct = await encryptBytes(dek, { documentId, version: 1 }, big);
    const created = await api(url, 'POST', '/documents', {
      token: alice.accessToken,
      body: { documentId, size: ct.length, keyGeneration: 1, encryptedName: await encryptMetadata(dek, documentId, 'name', 'big.bin'), grants: [await grantFor(alice, documentId, dek)] },
    });
    expect(created.body.upload.kind).toBe('multipart');
    const { partSize, parts } = created.body.upload as { partSize: number; parts: { partNumber: number; url: string }[] };
    expect(parts).toHaveLength(Math.ceil(ct.length / partSize));
    const etags = await Promise.all(
      parts.map(async (p) => {
        const res = await fetch(p.url, { method: 'PUT', body: Buffer.from(ct.subarray((p.partNumber - 1) * partSize, p.partNumber * partSize)) });
        return { partNumber: p.partNumber, etag: res.headers.get('etag')! };
      }),
    );
    const done = await api(url, 'POST', `/documents/${documentId}/complete`, { token: alice.accessToken, body: { parts: etags } });
    expect(done.status).toBe(200);
    // Buffer.equals: toEqual on megabytes compares element by element and takes seconds.
    expect(Buffer.from(await download(url, alice, documentId)).equals(Buffer.from(big))).toBe(true);
  });
});

describe('listing', () => {
  it('paginates with an opaque cursor and refuses a cursor into another user’s partition', async () => {
    const carol = await register(url, 'carol');
    for (let i = 0; i < 3; i++) await upload(url, carol, text(`doc ${i}`), `${i}.txt`);
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await api(url, 'GET', `/documents?limit=1${cursor ? `&cursor=${cursor}` : ''}`, { token: carol.accessToken });
      expect(page.status).toBe(200);
      seen.push(...page.body.documents.map((d: { documentId: string }) => d.documentId));
      cursor = page.body.cursor;
    } while (cursor);
    expect(new Set(seen).size).toBe(3);

    const page = await api(url, 'GET', '/documents?limit=1', { token: carol.accessToken });
    const res = await api(url, 'GET', `/documents?limit=1&cursor=${page.body.cursor}`, { token: alice.accessToken });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toMatch(/cursor is not valid/);
  });
});

describe('bad input', () => {
  it.each([
    ['GET', '/documents/..%2F..%2Fetc%2Fpasswd'],
    ['GET', '/documents/short'],
    ['GET', '/documents?limit=0'],
    ['GET', '/documents?limit=abc'],
    ['GET', '/users?ids=Bad%20Id'],
  ])('%s %s answers 400 VALIDATION_FAILED', async (method, path) => {
    const res = await api(url, method, path, { token: alice.accessToken });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('VALIDATION_FAILED');
  });

  it('answers unknown routes 404 and wrong methods 405 with JSON errors', async () => {
    expect((await api(url, 'GET', '/nope')).body.error.code).toBe('ROUTE_NOT_FOUND');
    expect((await api(url, 'PUT', '/documents')).status).toBe(405);
  });
});

import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CofferClient } from '../../client/sdk/CofferClient.js';
import { MemoryKeyPinStore } from '../../client/sdk/KeyPinStore.js';
import { openLink } from '../../client/sdk/openLink.js';
import { s3Client } from '../../shared/server/config/clients.js';
import { decryptBytes, encryptBytes, TEST_KDF } from '../../shared/core/crypto/index.js';
import { objectKey } from '../../shared/server/data/keys.js';
import { DecryptionFailed } from '../../shared/core/errors/index.js';
import { type LocalStack, startLocalStack } from '../helpers/localStack.js';
import { pseudoRandomBytes as bytes } from '../helpers/pseudoRandomBytes.js';
import { rejection as failure } from '../helpers/rejection.js';
import { readAll } from '../helpers/streams.js';

/**
 * Versions and key generations through the SDK on the real handlers (DynamoDB Local, s3rver):
 * new versions, restore, concurrent uploads, revoke -> new generation, and what a revoked user's
 * saved key still opens (docs/versions.md).
 */

const MiB = 1024 * 1024;
let stack: LocalStack;
const clients: Record<string, CofferClient> = {};
const c = (userId: string) => clients[userId]!;

beforeAll(async () => {
  stack = await startLocalStack({ settings: { multipartThreshold: 2 * MiB, partSize: MiB } });
  await Promise.all(
    ['vic', 'wes', 'xan', 'yul'].map(async (userId) => {
      const client = new CofferClient({ serverUrl: stack.url, pinStore: new MemoryKeyPinStore(), tuning: { allowWeakKdf: true } });
      await client.register({ userId, name: userId, passphrase: `${userId}-versions-client-passphrase`, kdf: TEST_KDF });
      clients[userId] = client;
    }),
  );
});

afterAll(async () => {
  await stack?.stop();
});

async function contentOf(client: CofferClient, documentId: string, version?: number): Promise<Buffer> {
  const down = await client.download(documentId, version === undefined ? {} : { version });
  return Buffer.from(await readAll(down.stream));
}

async function storedObject(documentId: string, version: number): Promise<Uint8Array> {
  const out = await s3Client(stack.endpoints).send(new GetObjectCommand({ Bucket: stack.bucket, Key: objectKey(documentId, version) }));
  return new Uint8Array(await out.Body!.transformToByteArray());
}

/** A document of vic's shared with wes (editor) and xan (viewer). */
async function sharedDocument(content: Uint8Array): Promise<string> {
  const { documentId } = await c('vic').upload(content, { name: 'plan.txt' });
  await c('vic').share(documentId, { userIds: ['wes'] }, { role: 'editor' });
  await c('vic').share(documentId, { userIds: ['xan'] }, { role: 'viewer' });
  return documentId;
}

describe('versions', () => {
  it('uploads new versions, lists them newest first, downloads any of them and restores an old one as a new version', async () => {
    const v1 = bytes(300_000, 1);
    const v2 = bytes(3 * MiB + 5, 2); // multipart
    const documentId = await sharedDocument(v1);

    const second = await c('wes').uploadVersion(documentId, v2);
    expect(second).toMatchObject({ documentId, version: 2, keyGeneration: 1, size: v2.length });

    const page = await c('xan').listVersions(documentId);
    expect(page.versions.map((v) => [v.version, v.createdBy, v.current])).toEqual([
      [2, 'wes', true],
      [1, 'vic', false],
    ]);
    expect(page.versions[0]!.digest).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect((await contentOf(c('xan'), documentId)).equals(v2)).toBe(true);
    expect((await contentOf(c('xan'), documentId, 1)).equals(v1)).toBe(true);

    const restored = await c('wes').restoreVersion(documentId, 1);
    expect(restored.version).toBe(3);
    expect((await contentOf(c('xan'), documentId)).equals(v1)).toBe(true);
    expect((await contentOf(c('xan'), documentId, 2)).equals(v2)).toBe(true);
    // the restore is a new object under its own version: not a copy of version 1's bytes
    expect(Buffer.from(await storedObject(documentId, 3)).equals(Buffer.from(await storedObject(documentId, 1)))).toBe(false);
  });

  it('refuses new versions from viewers (403) and strangers (404)', async () => {
    const documentId = await sharedDocument(bytes(1000, 3));
    expect(await failure(c('xan').uploadVersion(documentId, bytes(10, 4)))).toMatchObject({ status: 403, code: 'CANNOT_EDIT' });
    expect(await failure(c('yul').uploadVersion(documentId, bytes(10, 4)))).toMatchObject({ status: 404, code: 'NODE_NOT_FOUND' });
    expect((await c('vic').listVersions(documentId)).versions).toHaveLength(1);
  });

  it('lands every one of many concurrent uploads by two editors as consecutive versions, none lost', async () => {
    const documentId = await sharedDocument(bytes(1000, 5));
    const contents = Array.from({ length: 8 }, (_, i) => bytes(20_000 + i, 100 + i));
    const results = await Promise.all(contents.map((content, i) => c(i % 2 ? 'wes' : 'vic').uploadVersion(documentId, content)));

    const numbers = results.map((r) => r.version).sort((a, b) => a - b);
    expect(numbers).toEqual([2, 3, 4, 5, 6, 7, 8, 9]);
    const listed = (await c('xan').listVersions(documentId)).versions.map((v) => v.version);
    expect(listed).toEqual([9, 8, 7, 6, 5, 4, 3, 2, 1]);
    for (const [i, result] of results.entries()) {
      expect((await contentOf(c('xan'), documentId, result.version)).equals(Buffer.from(contents[i]!))).toBe(true);
    }
  });
});

describe('revoke and key generations', () => {
  it("starts a new generation on revoke: the revoked user's saved key opens nothing new, current readers open every version", async () => {
    const v1 = bytes(150_000, 6);
    const documentId = await sharedDocument(v1);
    const saved = await c('xan').nodeKey(documentId); // what a revoked user may have kept
    expect(saved.keyGeneration).toBe(1);

    const revoked = await c('vic').revoke(documentId, ['xan']);
    expect(revoked).toMatchObject({ revoked: ['u:xan'], keyGeneration: 2 });
    expect(await failure(c('xan').download(documentId))).toMatchObject({ status: 404 });

    // the next version is under generation 2; the old key does not open it
    const v2 = bytes(2 * MiB + 17, 7);
    expect(await c('wes').uploadVersion(documentId, v2)).toMatchObject({ version: 2, keyGeneration: 2 });
    const ctx = { documentId, version: 2 };
    await expect(decryptBytes(saved.key, ctx, await storedObject(documentId, 2))).rejects.toBeInstanceOf(DecryptionFailed);
    // ...while it still opens what it could open before (Coffer cannot take that back)
    expect(Buffer.from(await decryptBytes(saved.key, { documentId, version: 1 }, await storedObject(documentId, 1))).equals(Buffer.from(v1))).toBe(true);

    // current readers open both generations (version 1 down the key chain), and the name
    for (const reader of ['vic', 'wes']) {
      expect((await contentOf(c(reader), documentId, 1)).equals(Buffer.from(v1))).toBe(true);
      expect((await contentOf(c(reader), documentId, 2)).equals(Buffer.from(v2))).toBe(true);
      expect((await c(reader).download(documentId)).name).toBe('plan.txt');
    }

    // an upload that claims the old generation is refused by the server
    const raw = await c('wes').api.post<unknown>(`/documents/${documentId}/versions`, { size: 100, keyGeneration: 1 }).catch((e: unknown) => e);
    expect(raw).toMatchObject({ status: 409, code: 'KEY_GENERATION_STALE' });
  });

  it('coffer rotate re-encrypts the latest version under a new generation; the saved key opens none of it', async () => {
    const v1 = bytes(80_000, 8);
    const documentId = await sharedDocument(v1);
    const saved = await c('xan').nodeKey(documentId);
    await c('vic').revoke(documentId, ['xan']);

    const rotated = await c('vic').rotate(documentId);
    expect(rotated).toMatchObject({ documentId, keyGeneration: 3, version: 2 });
    const latest = await storedObject(documentId, 2);
    await expect(decryptBytes(saved.key, { documentId, version: 2 }, latest)).rejects.toBeInstanceOf(DecryptionFailed);
    expect((await contentOf(c('wes'), documentId)).equals(Buffer.from(v1))).toBe(true);
    expect((await contentOf(c('wes'), documentId, 1)).equals(Buffer.from(v1))).toBe(true);
    expect((await c('wes').listVersions(documentId)).versions.map((v) => [v.version, v.keyGeneration])).toEqual([
      [2, 3],
      [1, 1],
    ]);
  });

  it('after someone leaves, an editor is told to have the key rotated and a manager rotates on the way', async () => {
    const documentId = await sharedDocument(bytes(5000, 9));
    const left = await c('xan').revoke(documentId, ['xan']);
    expect(left.keyGeneration).toBeUndefined(); // a leaver cannot rotate

    expect(await failure(c('wes').uploadVersion(documentId, bytes(100, 10)))).toMatchObject({ status: 409, code: 'KEY_ROTATION_REQUIRED' });
    const byManager = await c('vic').uploadVersion(documentId, bytes(100, 11));
    expect(byManager).toMatchObject({ version: 2, keyGeneration: 2 });
    expect(await c('wes').uploadVersion(documentId, bytes(100, 12))).toMatchObject({ version: 3, keyGeneration: 2 });
  });

  it('rotation is for managers: an editor is refused and nothing changes', async () => {
    const documentId = await sharedDocument(bytes(5000, 13));
    expect(await failure(c('wes').rotate(documentId, { keyOnly: true }))).toMatchObject({ status: 403 });
    expect((await c('vic').nodeKey(documentId)).keyGeneration).toBe(1);
  });
});

describe('comments across key generations', () => {
  it('reads comments of every generation down the key chain and adds new ones under the current key, also after a key-only rotation', async () => {
    const documentId = await sharedDocument(bytes(1000, 17));
    await c('wes').addComment(documentId, 'under generation 1');
    await c('vic').revoke(documentId, ['xan']); // generation 2
    await c('wes').addComment(documentId, 'under generation 2');
    await c('vic').rotate(documentId, { keyOnly: true }); // generation 3, the content still under 1
    await c('vic').addComment(documentId, 'under generation 3');

    const comments = await c('wes').listComments(documentId);
    expect(comments.map((x) => [x.keyGeneration, x.text, x.textError])).toEqual([
      [1, 'under generation 1', undefined],
      [2, 'under generation 2', undefined],
      [3, 'under generation 3', undefined],
    ]);
  });
});

describe('links and versions', () => {
  it('a link made after a key-only rotation opens the current version down the key chain, and refuses a swapped object', async () => {
    const v1 = bytes(120_000, 14);
    const documentId = await sharedDocument(v1);
    await c('vic').rotate(documentId, { keyOnly: true }); // the key is at generation 2; version 1 stays under generation 1
    const { url } = await c('vic').createLink(documentId);

    const opened = await openLink(url);
    expect(opened.node).toMatchObject({ nodeId: documentId, name: 'plan.txt', size: v1.length });
    expect(Buffer.from(await readAll(opened.stream!)).equals(Buffer.from(v1))).toBe(true);

    // another upload of the same document and version (same key, fresh salt): only the digest tells
    const other = await c('wes').uploadVersion(documentId, bytes(120_000, 15));
    const { key } = await c('vic').nodeKey(documentId);
    const impostor = await encryptBytes(key, { documentId, version: other.version }, bytes(120_000, 16));
    await s3Client(stack.endpoints).send(new PutObjectCommand({ Bucket: stack.bucket, Key: objectKey(documentId, other.version), Body: impostor }));
    const { url: second } = await c('vic').createLink(documentId);
    const swapped = await openLink(second);
    await expect(readAll(swapped.stream!)).rejects.toMatchObject({ code: 'INTEGRITY_MISMATCH' });
  });
});

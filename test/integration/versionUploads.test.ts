import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decryptBytes, encryptBytes, encryptMetadata, generateDataKey, toBase64Url, wrapKey } from '../../shared/core/crypto/index.js';
import { ENCRYPTED_CHUNK_SIZE } from '../../shared/core/crypto/streamSizes.js';
import { type Actor, newDocumentId, register, shareGrant, upload } from '../helpers/actors.js';
import { pseudoRandomBytes } from '../helpers/pseudoRandomBytes.js';
import { api } from '../helpers/http.js';
import { type LocalStack, startLocalStack } from '../helpers/localStack.js';

/**
 * Large files (docs/versions.md): multipart parts of whole encrypted chunks, the same plan for
 * document and version creates, and resuming an upload from the parts S3 holds (ListParts).
 */
const MiB = 1024 * 1024;
let stack: LocalStack;
let url: string;
let alice: Actor, bob: Actor, charlie: Actor, dora: Actor, mallory: Actor;

beforeAll(async () => {
  stack = await startLocalStack({ settings: { multipartThreshold: 2 * MiB, partSize: MiB } });
  url = stack.url;
  [alice, bob, charlie, dora, mallory] = (await Promise.all(['alice', 'bob', 'charlie', 'dora', 'mallory'].map((u) => register(url, u)))) as [
    Actor, Actor, Actor, Actor, Actor,
  ];
});
afterAll(() => stack?.stop());

interface Part {
  partNumber: number;
  url: string;
}

/** PUTs the slices of `ciphertext` for `parts`; returns their ETags. */
async function putParts(ciphertext: Uint8Array, partSize: number, parts: Part[], length?: (n: number) => number) {
  return Promise.all(
    parts.map(async (p) => {
      const start = (p.partNumber - 1) * partSize;
      const end = Math.min(ciphertext.length, start + (length?.(p.partNumber) ?? partSize));
      const res = await fetch(p.url, { method: 'PUT', body: Buffer.from(ciphertext.subarray(start, end)) });
      expect(res.ok).toBe(true);
      return { partNumber: p.partNumber, etag: res.headers.get('etag')! };
    }),
  );
}

const resume = (by: Actor, documentId: string, version: number) =>
  api(url, 'GET', `/documents/${documentId}/versions/${version}/upload`, { token: by.accessToken });

/** A new document's create body for `ciphertext` of `size` bytes (the size may be declared without bytes). */
async function createBody(owner: Actor, documentId: string, dek: Uint8Array, size: number) {
  return {
    documentId,
    size,
    keyGeneration: 1,
    encryptedName: await encryptMetadata(dek, documentId, 'name', 'big.bin'),
    grants: [
      {
        userId: owner.userId,
        wrappedKey: toBase64Url(await wrapKey(owner.publicKey, dek, { kind: 'dek', resourceId: documentId, generation: 1, recipientId: `u:${owner.userId}` })),
        fingerprint: owner.fingerprint,
      },
    ],
  };
}

describe('the part plan', () => {
  it('cuts multipart uploads into whole encrypted chunks, for documents and versions alike', async () => {
    const documentId = newDocumentId();
    const dek = generateDataKey();
    const ciphertext = await encryptBytes(dek, { documentId, version: 1 }, pseudoRandomBytes(3 * MiB + 5, 1));
    const created = await api(url, 'POST', '/documents', { token: alice.accessToken, body: await createBody(alice, documentId, dek, ciphertext.length) });
    expect(created.status).toBe(201);
    expect(created.body.upload).toMatchObject({ kind: 'multipart', partSize: ENCRYPTED_CHUNK_SIZE });
    expect(created.body.upload.parts.map((p: Part) => p.partNumber)).toEqual([1, 2, 3, 4]);

    const doc = await upload(url, alice, new TextEncoder().encode('small'), 'small.txt');
    const version = await api(url, 'POST', `/documents/${doc.documentId}/versions`, { token: alice.accessToken, body: { size: ciphertext.length, keyGeneration: 1 } });
    expect(version.status).toBe(201);
    expect(version.body.upload).toMatchObject({ kind: 'multipart', partSize: ENCRYPTED_CHUNK_SIZE });
    expect(version.body.upload.parts).toHaveLength(4);
  });

  it('grows the part by whole chunks so that no upload needs more than 10,000 parts', async () => {
    // One chunk per part would need 10,001 parts: two chunks per part, 5,001 parts.
    const size = 10_001 * ENCRYPTED_CHUNK_SIZE;
    const documentId = newDocumentId();
    const created = await api(url, 'POST', '/documents', { token: alice.accessToken, body: await createBody(alice, documentId, generateDataKey(), size) });
    expect(created.status).toBe(201);
    expect(created.body.upload.partSize).toBe(2 * ENCRYPTED_CHUNK_SIZE);
    expect(created.body.upload.parts).toHaveLength(5001);
    const doc = await upload(url, alice, new TextEncoder().encode('small'), 'small.txt');
    const version = await api(url, 'POST', `/documents/${doc.documentId}/versions`, { token: alice.accessToken, body: { size, keyGeneration: 1 } });
    expect(version.body.upload.partSize).toBe(2 * ENCRYPTED_CHUNK_SIZE);
    expect(version.body.upload.parts).toHaveLength(5001);
  }, 30_000);
});

describe('resumeUpload', () => {
  it('resumes a new document: the parts stored, fresh URLs for the rest, and the owner’s own pending grant', async () => {
    const documentId = newDocumentId();
    const dek = generateDataKey();
    const plaintext = pseudoRandomBytes(3 * MiB + 77, 2);
    const ciphertext = await encryptBytes(dek, { documentId, version: 1 }, plaintext);
    const body = await createBody(alice, documentId, dek, ciphertext.length);
    const created = await api(url, 'POST', '/documents', { token: alice.accessToken, body });
    const { partSize, parts, uploadId } = created.body.upload as { partSize: number; parts: Part[]; uploadId: string };
    const first = await putParts(ciphertext, partSize, parts.filter((p) => p.partNumber === 1 || p.partNumber === 3));

    const resumed = await resume(alice, documentId, 1);
    expect(resumed.status).toBe(200);
    expect(resumed.body).toEqual({
      documentId,
      version: 1,
      kind: 'multipart',
      uploadId,
      partSize,
      partCount: 4,
      stored: [
        { partNumber: 1, etag: first[0]!.etag, size: partSize },
        { partNumber: 3, etag: first[1]!.etag, size: partSize },
      ],
      parts: [
        { partNumber: 2, url: expect.any(String) },
        { partNumber: 4, url: expect.any(String) },
      ],
      expiresAt: expect.any(String),
      keyGeneration: 1,
      wrappedKey: body.grants[0]!.wrappedKey,
    });
    for (const other of [bob, mallory]) {
      const res = await resume(other, documentId, 1);
      expect(res.status).toBe(404);
      expect(res.body.error.code).toBe('UPLOAD_NOT_FOUND');
    }
    expect((await resume(alice, documentId, 2)).body.error.code).toBe('UPLOAD_NOT_FOUND');

    const rest = await putParts(ciphertext, partSize, resumed.body.parts);
    const etags = [...resumed.body.stored.map((p: { partNumber: number; etag: string }) => ({ partNumber: p.partNumber, etag: p.etag })), ...rest].sort(
      (a, b) => a.partNumber - b.partNumber,
    );
    const done = await api(url, 'POST', `/documents/${documentId}/complete`, { token: alice.accessToken, body: { parts: etags } });
    expect(done.status, JSON.stringify(done.body)).toBe(200);
    const got = await api(url, 'GET', `/documents/${documentId}`, { token: alice.accessToken });
    const bytes = new Uint8Array(await (await fetch(got.body.download.url)).arrayBuffer());
    // Buffer.equals: a deep toEqual over megabytes takes seconds.
    expect(Buffer.from(await decryptBytes(dek, { documentId, version: 1 }, bytes)).equals(Buffer.from(plaintext))).toBe(true);
    expect((await resume(alice, documentId, 1)).body.error.code).toBe('UPLOAD_NOT_FOUND');
  });

  it('resumes a version for its uploader only; a part of the wrong size is sent again', async () => {
    const doc = await upload(url, alice, new TextEncoder().encode('v1'), 'doc.txt');
    const shared = await api(url, 'POST', `/nodes/${doc.documentId}/share`, {
      token: alice.accessToken,
      body: {
        keyGeneration: 1,
        grants: await Promise.all([shareGrant(bob, doc.documentId, doc.dek), shareGrant(charlie, doc.documentId, doc.dek, 'editor'), shareGrant(dora, doc.documentId, doc.dek, 'editor')]),
      },
    });
    expect(shared.status).toBe(200);
    const plaintext = pseudoRandomBytes(2 * MiB + 300, 3);
    const probe = await encryptBytes(doc.dek, { documentId: doc.documentId, version: 2 }, plaintext);
    const reserved = await api(url, 'POST', `/documents/${doc.documentId}/versions`, { token: charlie.accessToken, body: { size: probe.length, keyGeneration: 1 } });
    expect(reserved.body.version).toBe(2);
    const { partSize, parts } = reserved.body.upload as { partSize: number; parts: Part[] };
    expect(parts).toHaveLength(3);
    // Part 1 whole, part 2 cut short (as an interrupted client might have sent it).
    await putParts(probe, partSize, parts.slice(0, 2), (n) => (n === 2 ? 1000 : partSize));

    const resumed = await resume(charlie, doc.documentId, 2);
    expect(resumed.status).toBe(200);
    expect(resumed.body.stored.map((p: { partNumber: number }) => p.partNumber)).toEqual([1]);
    expect(resumed.body.parts.map((p: Part) => p.partNumber)).toEqual([2, 3]);
    expect(resumed.body).not.toHaveProperty('wrappedKey');
    for (const other of [alice, bob, dora, mallory]) {
      const res = await resume(other, doc.documentId, 2);
      expect(res.status, other.userId).toBe(404);
      expect(res.body.error.code, other.userId).toBe('UPLOAD_NOT_FOUND');
    }
    const rest = await putParts(probe, partSize, resumed.body.parts);
    const all = [{ partNumber: 1, etag: resumed.body.stored[0].etag }, ...rest];
    const done = await api(url, 'POST', `/documents/${doc.documentId}/versions/2/complete`, { token: charlie.accessToken, body: { parts: all } });
    expect(done.status, JSON.stringify(done.body)).toBe(200);
    const got = await api(url, 'GET', `/documents/${doc.documentId}/versions/2`, { token: bob.accessToken });
    const bytes = new Uint8Array(await (await fetch(got.body.download.url)).arrayBuffer());
    expect(Buffer.from(await decryptBytes(doc.dek, { documentId: doc.documentId, version: 2 }, bytes)).equals(Buffer.from(plaintext))).toBe(true);
    expect((await resume(charlie, doc.documentId, 2)).body.error.code).toBe('UPLOAD_NOT_FOUND');
  });

  it('resumes a single-PUT upload with a fresh URL', async () => {
    const doc = await upload(url, alice, new TextEncoder().encode('v1'), 'doc.txt');
    const ciphertext = await encryptBytes(doc.dek, { documentId: doc.documentId, version: 2 }, new TextEncoder().encode('v2'));
    const reserved = await api(url, 'POST', `/documents/${doc.documentId}/versions`, { token: alice.accessToken, body: { size: ciphertext.length, keyGeneration: 1 } });
    expect(reserved.body.upload.kind).toBe('single');
    const resumed = await resume(alice, doc.documentId, 2);
    expect(resumed.body).toEqual({
      documentId: doc.documentId,
      version: 2,
      kind: 'single',
      partSize: ciphertext.length,
      partCount: 1,
      stored: [],
      parts: [{ partNumber: 1, url: expect.any(String) }],
      expiresAt: expect.any(String),
      keyGeneration: 1,
    });
    expect((await fetch(resumed.body.parts[0].url, { method: 'PUT', body: Buffer.from(ciphertext) })).ok).toBe(true);
    expect((await api(url, 'POST', `/documents/${doc.documentId}/versions/2/complete`, { token: alice.accessToken, body: {} })).status).toBe(200);
  });
});

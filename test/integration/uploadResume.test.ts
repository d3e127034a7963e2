import { mkdtemp, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CofferClient } from '../../client/sdk/CofferClient.js';
import { MemoryKeyPinStore } from '../../client/sdk/KeyPinStore.js';
import { dekLabel } from '../../client/sdk/dataKeys.js';
import { openFile } from '../../client/sdk/node/fileSource.js';
import { FileSessionStore } from '../../client/sdk/node/FileSessionStore.js';
import { FileUploadJournal } from '../../client/sdk/node/FileUploadJournal.js';
import { MemorySessionStore, type SessionStore } from '../../client/sdk/Session.js';
import { MemoryUploadJournal, type UploadJournal, type UploadJournalEntry } from '../../client/sdk/uploadJournal.js';
import { s3Client } from '../../shared/server/config/clients.js';
import {
  fromBase64Url,
  importPrivateKey,
  TagDigest,
  TEST_KDF,
  UNSAFE_encryptStreamWithHeader,
  unwrapKey,
} from '../../shared/core/crypto/index.js';
import { objectKey } from '../../shared/server/data/keys.js';
import type { GetDocumentResponse } from '../../shared/core/api/schemas/documents.js';
import { runCli } from '../helpers/cliRunner.js';
import { type LocalStack, startLocalStack } from '../helpers/localStack.js';
import { pseudoRandomBytes } from '../helpers/pseudoRandomBytes.js';
import { rejection } from '../helpers/rejection.js';
import { readAll } from '../helpers/streams.js';

/**
 * Resuming an interrupted multipart upload on the real handlers, DynamoDB Local and s3rver
 * (docs/versions.md, "Resume"): parts of one encrypted chunk (1048592 bytes), two in flight;
 * the first upload is cut off by a connection that fails every PUT of part 4 (the SDK retries
 * it, then gives up while the part before it completes).
 */

const MiB = 1024 * 1024;
const INTERRUPT_AT = 4;

let stack: LocalStack;
let alice: Client;

interface Client {
  client: CofferClient;
  sessions: SessionStore;
  /** Every request: method and URL. */
  requests: { method: string; url: string }[];
  /** Set to a part number: every PUT of that part fails as a dropped connection does, before sending anything. */
  interruptAtPart: number | undefined;
}

function clientFor(sessions: SessionStore = new MemorySessionStore()): Client {
  const self: Client = {
    sessions,
    requests: [],
    interruptAtPart: undefined,
    client: undefined as unknown as CofferClient,
  };
  self.client = new CofferClient({
    serverUrl: stack.url,
    sessionStore: sessions,
    pinStore: new MemoryKeyPinStore(),
    tuning: { allowWeakKdf: true, partConcurrency: 2 },
    fetch: (url, init) => {
      const method = init?.method ?? 'GET';
      self.requests.push({ method, url });
      const part = /[?&]partNumber=(\d+)/.exec(url)?.[1];
      if (method === 'PUT' && part && Number(part) === self.interruptAtPart) return Promise.reject(new TypeError('fetch failed', { cause: new Error('test: connection reset') }));
      return fetch(url, init);
    },
  });
  return self;
}

function streamOf(bytes: Uint8Array): ReadableStream<Uint8Array> {
  return new ReadableStream({
    start(controller) {
      for (let offset = 0; offset < bytes.length; offset += MiB) controller.enqueue(bytes.slice(offset, offset + MiB));
      controller.close();
    },
  });
}

const partPuts = (c: Client) => c.requests.filter((r) => r.method === 'PUT' && /[?&]partNumber=/.test(r.url));
const partNumbers = (requests: { url: string }[]) => requests.map((r) => Number(/[?&]partNumber=(\d+)/.exec(r.url)![1])).sort((a, b) => a - b);

/** An upload cut off when part INTERRUPT_AT starts; returns its journal entry. */
async function interruptedUpload(c: Client, plaintext: Uint8Array, journal: UploadJournal, source = { path: '/data/report.bin', size: plaintext.length, mtimeMs: 1_700_000_000_000 }) {
  c.interruptAtPart = INTERRUPT_AT;
  const error = await rejection(c.client.upload(streamOf(plaintext), { name: 'report.bin', size: plaintext.length, journal: { store: journal, source } }));
  c.interruptAtPart = undefined;
  const [entry] = await journal.list();
  return { error, entry: entry!, source };
}

async function storedObject(documentId: string): Promise<Uint8Array> {
  const out = await s3Client(stack.endpoints).send(new GetObjectCommand({ Bucket: stack.bucket, Key: objectKey(documentId, 1) }));
  return out.Body!.transformToByteArray();
}

/** The document key, opened the way any client opens it: the owner's grant, unwrapped with the private key. */
async function documentKey(c: Client, documentId: string): Promise<Uint8Array> {
  const doc = await c.client.api.get<GetDocumentResponse>(`/documents/${documentId}`);
  const session = (await c.sessions.load())!;
  const privateKey = await importPrivateKey(fromBase64Url(session.privateKeyPkcs8));
  return unwrapKey(privateKey, fromBase64Url(doc.keyPath.entry.wrappedKey), dekLabel(documentId, 1, session.userId));
}

beforeAll(async () => {
  stack = await startLocalStack({ settings: { multipartThreshold: 2 * MiB, partSize: 1 * MiB } });
  alice = clientFor();
  await alice.client.register({ userId: 'alice', name: 'Alice', passphrase: 'alice-resume-integration-passphrase', kdf: TEST_KDF });
});

afterAll(async () => {
  await stack?.stop();
});

describe('resumeUpload (SDK, local stack)', () => {
  it('finishes an interrupted upload: only missing parts are sent, the download is the plaintext, the object is an uninterrupted upload under the same header', async () => {
    // Prepare
    const plaintext = pseudoRandomBytes(7 * MiB + 4321, 21);
    const journal = new MemoryUploadJournal();
    const { error, entry, source } = await interruptedUpload(alice, plaintext, journal);
    expect(error).toMatchObject({ code: 'STORAGE_ERROR', message: 'Upload to object storage failed: fetch failed (test: connection reset).' });
    expect(entry).toMatchObject({ kind: 'multipart', partCount: 8, plaintextSize: plaintext.length });
    expect(Object.keys(entry.parts).map(Number)).toContain(INTERRUPT_AT);
    const storedBefore = [...new Set(partNumbers(partPuts(alice)))].filter((n) => n !== INTERRUPT_AT);
    alice.requests.length = 0;
    // Act
    const result = await alice.client.resumeUpload(entry, { stream: streamOf(plaintext), size: plaintext.length, identity: source }, { journal });
    // Assess: only parts S3 lacked were sent, then completed; the journal is gone
    const resumeInfo = alice.requests.find((r) => r.method === 'GET' && r.url.endsWith(`/documents/${entry.documentId}/versions/1/upload`));
    expect(resumeInfo).toBeDefined();
    const sent = partNumbers(partPuts(alice));
    expect(result).toMatchObject({ documentId: entry.documentId, version: 1, partsSent: sent.length, partsKept: 8 - sent.length });
    expect(result.partsKept).toBeGreaterThanOrEqual(1);
    expect(sent).toEqual(Array.from({ length: 8 }, (_, i) => i + 1).filter((n) => !storedBefore.includes(n)));
    expect(sent).toContain(INTERRUPT_AT);
    expect(await journal.list()).toEqual([]);
    // Assess: the download is byte-identical, and its digest checked
    const download = await alice.client.download(entry.documentId);
    expect(Buffer.compare(Buffer.from(await readAll(download.stream)), plaintext)).toBe(0);
    // Assess: the object is exactly what one uninterrupted encryption under the journal's header makes
    const dek = await documentKey(alice, entry.documentId);
    const expected = await readAll(streamOf(plaintext).pipeThrough(UNSAFE_encryptStreamWithHeader(dek, { documentId: entry.documentId, version: 1 }, fromBase64Url(entry.header!))));
    const object = await storedObject(entry.documentId);
    expect(object.length).toBe(expected.length);
    expect(Buffer.compare(Buffer.from(object), Buffer.from(expected))).toBe(0);
    const doc = await alice.client.api.get<GetDocumentResponse>(`/documents/${entry.documentId}`);
    expect(doc.digest).toBe((await TagDigest.create(object.length)).update(object).digest());
  });

  it('finishes an interrupted new version the same way, completing it as that version', async () => {
    // Prepare: a document, then its second version cut off at part INTERRUPT_AT
    const first = pseudoRandomBytes(1000, 30);
    const { documentId } = await alice.client.upload(first, { name: 'versions.bin' });
    const second = pseudoRandomBytes(6 * MiB + 99, 31);
    const journal = new MemoryUploadJournal();
    const source = { path: '/data/versions.bin', size: second.length, mtimeMs: 1_700_000_000_000 };
    alice.interruptAtPart = INTERRUPT_AT;
    const error = await rejection(alice.client.uploadVersion(documentId, streamOf(second), { size: second.length, journal: { store: journal, source } }));
    alice.interruptAtPart = undefined;
    expect(error).toMatchObject({ code: 'STORAGE_ERROR' });
    const [entry] = await journal.list();
    expect(entry).toMatchObject({ documentId, version: 2 });
    expect((await alice.client.listVersions(documentId)).versions.map((v) => v.version)).toEqual([1]);
    // Act
    const result = await alice.client.resumeUpload(entry!, { stream: streamOf(second), size: second.length, identity: source }, { journal });
    // Assess
    expect(result).toMatchObject({ documentId, version: 2 });
    expect(result.partsKept).toBeGreaterThanOrEqual(1);
    expect(await journal.list()).toEqual([]);
    expect((await alice.client.listVersions(documentId)).versions.map((v) => [v.version, v.current])).toEqual([
      [2, true],
      [1, false],
    ]);
    const download = await alice.client.download(documentId);
    expect(Buffer.compare(Buffer.from(await readAll(download.stream)), second)).toBe(0);
  });

  it('refuses a file whose size or modification time changed with FILE_CHANGED, before asking the server anything', async () => {
    // Prepare
    const plaintext = pseudoRandomBytes(5 * MiB + 17, 22);
    const journal = new MemoryUploadJournal();
    const { entry, source } = await interruptedUpload(alice, plaintext, journal);
    alice.requests.length = 0;
    // Act
    const touched = await rejection(
      alice.client.resumeUpload(entry, { stream: streamOf(plaintext), size: plaintext.length, identity: { ...source, mtimeMs: source.mtimeMs + 1000 } }, { journal }),
    );
    const longer = await rejection(alice.client.resumeUpload(entry, { stream: streamOf(new Uint8Array(plaintext.length + 1)), size: plaintext.length + 1 }, { journal }));
    // Assess
    expect(touched).toMatchObject({ code: 'FILE_CHANGED' });
    expect(touched.message).toMatch(/^The file changed since the upload was interrupted \(it was modified at .+\): it cannot be resumed\./);
    expect(longer).toMatchObject({ code: 'FILE_CHANGED', details: { size: plaintext.length + 1, expected: plaintext.length } });
    expect(alice.requests).toEqual([]);
    expect(await journal.list()).toHaveLength(1);
  });

  it('refuses content that changed under an unchanged size and time with FILE_CHANGED, sending no part', async () => {
    // Prepare
    const plaintext = pseudoRandomBytes(5 * MiB + 17, 23);
    const journal = new MemoryUploadJournal();
    const { entry, source } = await interruptedUpload(alice, plaintext, journal);
    const changed = plaintext.slice();
    changed[1000]! ^= 0x01; // part 1, which S3 holds
    alice.requests.length = 0;
    // Act
    const error = await rejection(alice.client.resumeUpload(entry, { stream: streamOf(changed), size: changed.length, identity: source }, { journal }));
    // Assess
    expect(error).toMatchObject({ code: 'FILE_CHANGED', details: { partNumber: 1 } });
    expect(partPuts(alice)).toEqual([]);
    expect(alice.requests.filter((r) => r.method === 'POST')).toEqual([]);
    expect(await journal.list()).toHaveLength(1);
  });
});

describe('coffer upload --resume', () => {
  it('finishes an upload interrupted in the same profile, and says so', async () => {
    // Prepare: a CLI profile, and an SDK upload from it cut off (as if the CLI had been stopped mid-way)
    const home = await mkdtemp(join(tmpdir(), 'coffer-resume-'));
    const registered = await cli(home, ['--json', 'register', '--user', 'carol', '--name', 'Carol'], '', { COFFER_ALLOW_WEAK_KDF: '1' });
    expect(registered.code, registered.stderr).toBe(0);
    const file = join(home, 'video.bin');
    const plaintext = pseudoRandomBytes(6 * MiB + 99, 24);
    await writeFile(file, plaintext);
    const info = await stat(file);
    const carol = clientFor(new FileSessionStore(join(home, 'session.json')));
    const journal = new FileUploadJournal(join(home, 'uploads'));
    carol.interruptAtPart = INTERRUPT_AT;
    const source = await openFile(file);
    await rejection(
      carol.client.upload(source.stream, {
        name: 'video.bin',
        size: source.size,
        journal: { store: journal, source: { path: file, size: info.size, mtimeMs: info.mtimeMs } },
      }),
    );
    const [entry] = (await journal.list()) as [UploadJournalEntry];
    expect((await stat(join(home, 'uploads', `${entry.documentId}-v1.json`))).mode & 0o777).toBe(0o600);
    // Act
    const resumed = await cli(home, ['--json', 'upload', '--resume', file]);
    const touched = await cli(home, ['--json', 'upload', '--resume', file]);
    // Assess
    expect(resumed.code, resumed.stdout + resumed.stderr).toBe(0);
    const out = JSON.parse(resumed.stdout) as Record<string, number | string>;
    expect(out).toMatchObject({ documentId: entry.documentId, version: 1, size: plaintext.length });
    expect(out.partsKept).toBeGreaterThanOrEqual(1);
    expect(typeof out.seconds).toBe('number');
    expect(typeof out.bytesPerSecond).toBe('number');
    expect(touched.code).not.toBe(0);
    expect(JSON.parse(touched.stdout)).toMatchObject({ error: { code: 'UPLOAD_NOT_FOUND' } });
    const download = await carol.client.download(entry.documentId);
    expect(Buffer.compare(Buffer.from(await readAll(download.stream)), plaintext)).toBe(0);
  }, 25_000);

  it('refuses a file modified since, with FILE_CHANGED and the way out', async () => {
    const home = await mkdtemp(join(tmpdir(), 'coffer-resume-'));
    expect((await cli(home, ['--json', 'register', '--user', 'dave', '--name', 'Dave'], '', { COFFER_ALLOW_WEAK_KDF: '1' })).code).toBe(0);
    const file = join(home, 'notes.bin');
    await writeFile(file, pseudoRandomBytes(4 * MiB, 25));
    const info = await stat(file);
    const dave = clientFor(new FileSessionStore(join(home, 'session.json')));
    dave.interruptAtPart = 3;
    const source = await openFile(file);
    await rejection(
      dave.client.upload(source.stream, {
        name: 'notes.bin',
        size: source.size,
        journal: { store: new FileUploadJournal(join(home, 'uploads')), source: { path: file, size: info.size, mtimeMs: info.mtimeMs } },
      }),
    );
    await utimes(file, new Date(), new Date(info.mtimeMs + 5000));
    const result = await cli(home, ['upload', '--resume', file]);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/^coffer: The file changed since the upload was interrupted \(it was modified at .+\): it cannot be resumed\. Restore the original file, or upload it again/);
  });
});

/** The real CLI against this stack (test/helpers/cliRunner.ts). */
const cli = (home: string, args: string[], stdin = '', env: Record<string, string> = {}) =>
  runCli(args, { home, serverUrl: stack.url, stdin, env: { COFFER_ALLOW_WEAK_KDF: '', ...env } });

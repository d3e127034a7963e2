import { mkdir, mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CofferClient } from '../../client/sdk/CofferClient.js';
import { MemoryKeyPinStore } from '../../client/sdk/KeyPinStore.js';
import { s3Client } from '../../shared/server/config/clients.js';
import { CHUNK_SIZE, chunkOffset, encryptBytes, fromBase64Url, HEADER_SIZE, unwrapKey } from '../../shared/core/crypto/index.js';
import { type Actor, register } from '../helpers/actors.js';
import { api } from '../helpers/http.js';
import { runCli } from '../helpers/cliRunner.js';
import { type LocalStack, startLocalStack } from '../helpers/localStack.js';
import { pseudoRandomBytes as bytes } from '../helpers/pseudoRandomBytes.js';
import { rejection as failure } from '../helpers/rejection.js';
import { readAll } from '../helpers/streams.js';

/**
 * Downloads against the real handlers on DynamoDB Local and s3rver (docs/versions.md
 * "Integrity" and "Large files"): ranged downloads fetch the header and only the chunks that
 * cover the range; full downloads check the digest the uploader recorded; a swapped, truncated,
 * extended or altered object is one clear error, and the CLI leaves no file behind.
 */

const MiB = CHUNK_SIZE;

let stack: LocalStack;
let owner: Actor; // protocol-level: holds the private key, so a test can open a DEK itself
let client: CofferClient; // the same user through the SDK
/** The Range header of every ranged GET the SDK client sent to object storage. */
const ranges: string[] = [];

beforeAll(async () => {
  stack = await startLocalStack();
  owner = await register(stack.url, 'ida');
  client = new CofferClient({
    serverUrl: stack.url,
    pinStore: new MemoryKeyPinStore(),
    tuning: { allowWeakKdf: true },
    fetch: (url, init) => {
      const range = new Headers(init?.headers).get('range');
      if (range) ranges.push(range);
      return fetch(url, init);
    },
  });
  await client.login('ida', owner.passphrase);
});

afterAll(async () => {
  await stack?.stop();
});

const objectKey = (documentId: string, version = 1) => `docs/${documentId}/v${version}`;

async function storedObject(documentId: string, version = 1): Promise<Uint8Array> {
  const out = await s3Client(stack.endpoints).send(new GetObjectCommand({ Bucket: stack.bucket, Key: objectKey(documentId, version) }));
  return out.Body!.transformToByteArray();
}

async function replaceObject(documentId: string, body: Uint8Array, version = 1): Promise<void> {
  await s3Client(stack.endpoints).send(new PutObjectCommand({ Bucket: stack.bucket, Key: objectKey(documentId, version), Body: body }));
}

/** The document key, opened here from the owner's own grant (what only a key holder can do). */
async function dekOf(documentId: string): Promise<Uint8Array> {
  const got = await api(stack.url, 'GET', `/documents/${documentId}`, { token: owner.accessToken });
  expect(got.status).toBe(200);
  const { entry } = got.body.keyPath;
  return unwrapKey(owner.privateKey, fromBase64Url(entry.wrappedKey), {
    kind: 'dek',
    resourceId: documentId,
    generation: entry.keyGeneration,
    recipientId: `u:${owner.userId}`,
  });
}

async function uploaded(size: number, seed: number): Promise<{ documentId: string; plaintext: Uint8Array }> {
  const plaintext = bytes(size, seed);
  const { documentId } = await client.upload(plaintext, { name: `doc-${seed}.bin` });
  return { documentId, plaintext };
}

describe('ranged downloads', () => {
  let doc: { documentId: string; plaintext: Uint8Array };

  beforeAll(async () => {
    doc = await uploaded(5 * MiB + 12_345, 1); // 6 chunks
  });

  it('returns a middle slice across chunk boundaries, fetching the header and only the chunks that hold it', async () => {
    // Prepare
    const [start, end] = [MiB + 100, 3 * MiB + 7]; // chunks 1, 2 and 3
    ranges.length = 0;

    // Act
    const down = await client.download(doc.documentId, { range: { start, end } });
    const slice = await readAll(down.stream);

    // Assess
    expect(down).toMatchObject({ size: doc.plaintext.length, length: end - start, range: { start, end }, digestChecked: false });
    expect(Buffer.from(slice).equals(doc.plaintext.subarray(start, end))).toBe(true);
    expect(ranges.sort()).toEqual([`bytes=0-${HEADER_SIZE - 1}`, `bytes=${chunkOffset(1)}-${chunkOffset(4) - 1}`].sort());
  });

  it.each([
    ['the first byte', () => [0, 1]],
    ['the first 100 bytes', () => [0, 100]],
    ['exactly chunk 2', () => [2 * MiB, 3 * MiB]],
    ['the last 100 bytes', (size: number) => [size - 100, size]],
    ['the last byte', (size: number) => [size - 1, size]],
    ['everything', (size: number) => [0, size]],
  ])('returns %s', async (_name, bounds) => {
    // Prepare
    const [start, end] = bounds(doc.plaintext.length) as [number, number];

    // Act
    const down = await client.download(doc.documentId, { range: { start, end } });

    // Assess
    expect(Buffer.from(await readAll(down.stream)).equals(doc.plaintext.subarray(start, end))).toBe(true);
  });

  it('reads from START to the end when END is left out', async () => {
    const start = 4 * MiB - 3;
    const down = await client.download(doc.documentId, { range: { start } });
    expect(down.range).toEqual({ start, end: doc.plaintext.length });
    expect(Buffer.from(await readAll(down.stream)).equals(doc.plaintext.subarray(start))).toBe(true);
  });

  it('refuses a range past the end, or empty, with VALIDATION_FAILED', async () => {
    const size = doc.plaintext.length;
    expect(await failure(client.download(doc.documentId, { range: { start: 0, end: size + 1 } }))).toMatchObject({
      code: 'VALIDATION_FAILED',
      message: `The range ends at ${size + 1}, past the end of the document (${size} bytes).`,
    });
    expect(await failure(client.download(doc.documentId, { range: { start: 5, end: 5 } }))).toMatchObject({ code: 'VALIDATION_FAILED' });
    expect(await failure(client.download(doc.documentId, { range: { start: -1, end: 5 } }))).toMatchObject({ code: 'VALIDATION_FAILED' });
  });
});

describe('full downloads check the digest', () => {
  it('verifies an honest download', async () => {
    // Prepare
    const { documentId, plaintext } = await uploaded(3 * MiB + 5, 2);

    // Act
    const down = await client.download(documentId);

    // Assess
    expect(down.digestChecked).toBe(true);
    expect(Buffer.from(await readAll(down.stream)).equals(plaintext)).toBe(true);
  });

  it('refuses another upload of the same document and version (same key, fresh salt: every chunk authenticates) with INTEGRITY_MISMATCH', async () => {
    // Prepare: what only the digest can catch — a valid stream for this document and version, but not the one uploaded.
    const { documentId, plaintext } = await uploaded(2 * MiB + 99, 3);
    const other = await encryptBytes(await dekOf(documentId), { documentId, version: 1 }, plaintext);
    await replaceObject(documentId, other);

    // Act
    const error = await failure(client.download(documentId).then((down) => readAll(down.stream)));

    // Assess
    expect(error).toMatchObject({ code: 'INTEGRITY_MISMATCH', details: { documentId, version: 1 } });
    expect(error.message).toMatch(/^Integrity check failed: the stored content of document .* is not what its uploader sent/);
  });

  it('refuses another document\'s object (DECRYPTION_FAILED: the AAD binds the document)', async () => {
    // Prepare
    const { documentId } = await uploaded(MiB + 1, 4);
    const { documentId: otherId } = await uploaded(MiB + 1, 5);
    await replaceObject(documentId, await storedObject(otherId));

    // Act
    const error = await failure(client.download(documentId).then((down) => readAll(down.stream)));

    // Assess
    expect(['INTEGRITY_MISMATCH', 'DECRYPTION_FAILED']).toContain(error.code);
  });

  it('refuses an object with its last chunk dropped', async () => {
    // Prepare
    const { documentId } = await uploaded(2 * MiB + 10, 6);
    const stored = await storedObject(documentId);
    await replaceObject(documentId, stored.subarray(0, chunkOffset(2)));

    // Act
    const error = await failure(client.download(documentId).then((down) => readAll(down.stream)));

    // Assess
    expect(['INTEGRITY_MISMATCH', 'DECRYPTION_FAILED']).toContain(error.code);
  });

  it('refuses an object with a chunk appended', async () => {
    // Prepare
    const { documentId } = await uploaded(MiB + 10, 7);
    const stored = await storedObject(documentId);
    await replaceObject(documentId, Buffer.concat([stored, stored.subarray(chunkOffset(1))]));

    // Act
    const error = await failure(client.download(documentId).then((down) => readAll(down.stream)));

    // Assess
    expect(error.code).toBe('INTEGRITY_MISMATCH');
  });

  it.each([
    ['a body byte', (_n: number) => chunkOffset(1) + 500],
    ['a tag byte', (n: number) => n - 1],
    ['a header byte', (_n: number) => 20],
  ])('refuses an object with %s flipped', async (_name, at) => {
    // Prepare
    const { documentId } = await uploaded(2 * MiB + 10, 8);
    const stored = Buffer.from(await storedObject(documentId));
    stored[at(stored.length)]! ^= 0x01;
    await replaceObject(documentId, stored);

    // Act
    const error = await failure(client.download(documentId).then((down) => readAll(down.stream)));

    // Assess
    expect(['INTEGRITY_MISMATCH', 'DECRYPTION_FAILED']).toContain(error.code);
  });

  it('a ranged download of a tampered chunk fails with DECRYPTION_FAILED; of a dropped chunk, with INTEGRITY_MISMATCH', async () => {
    // Prepare
    const { documentId } = await uploaded(3 * MiB + 10, 9);
    const stored = Buffer.from(await storedObject(documentId));
    stored[chunkOffset(1) + 7]! ^= 0x01;
    await replaceObject(documentId, stored.subarray(0, chunkOffset(3)));

    // Act
    const tampered = await failure(client.download(documentId, { range: { start: MiB, end: MiB + 10 } }).then((d) => readAll(d.stream)));
    const dropped = await failure(client.download(documentId, { range: { start: 3 * MiB, end: 3 * MiB + 10 } }).then((d) => readAll(d.stream)));
    const intact = await client.download(documentId, { range: { start: 2 * MiB, end: 2 * MiB + 10 } }).then((d) => readAll(d.stream));

    // Assess
    expect(tampered.code).toBe('DECRYPTION_FAILED');
    expect(dropped.code).toBe('INTEGRITY_MISMATCH');
    expect(intact).toHaveLength(10); // a chunk that is still whole and in place is still authentic
  });
});

/** The real CLI against this stack (test/helpers/cliRunner.ts). */
const cli = (home: string, args: string[], stdin?: string) => runCli(args, { home, serverUrl: stack.url, ...(stdin !== undefined ? { stdin } : {}) });

describe('coffer download (CLI)', () => {
  let root: string;
  let home: string;

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'coffer-download-it-'));
    home = join(root, 'home');
    const login = await cli(home, ['--json', 'login', '--user', 'ida', '--passphrase-stdin'], `${owner.passphrase}\n`);
    expect(login.code, login.stdout + login.stderr).toBe(0);
  });

  it('saves a range with --range START-END', async () => {
    // Prepare
    const { documentId, plaintext } = await uploaded(3 * MiB + 5, 10);
    const out = join(root, 'slice.bin');

    // Act
    const run = await cli(home, ['--json', 'download', documentId, '--range', `${MiB - 5}-${2 * MiB + 5}`, '-o', out]);

    // Assess
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ path: out, size: MiB + 10, range: { start: MiB - 5, end: 2 * MiB + 5 }, digestChecked: false, version: 1 });
    expect((await readFile(out)).equals(plaintext.subarray(MiB - 5, 2 * MiB + 5))).toBe(true);
  });

  it('refuses a malformed --range with exit 2 and the expected form', async () => {
    const run = await cli(home, ['--json', 'download', 'AAAAAAAAAAAAAAAAAAAAAA', '--range', '10-5']);
    expect(run.code).toBe(2);
    expect(JSON.parse(run.stdout).error.message).toMatch(/END \(5\) must be greater than START \(10\)/);
    const words = await cli(home, ['--json', 'download', 'AAAAAAAAAAAAAAAAAAAAAA', '--range', 'first-100']);
    expect(words.code).toBe(2);
    expect(JSON.parse(words.stdout).error.message).toMatch(/expected START-END in bytes, END exclusive/);
  });

  it('verifies a full download (digestChecked in --json)', async () => {
    const { documentId, plaintext } = await uploaded(MiB + 3, 11);
    const out = join(root, 'full.bin');
    const run = await cli(home, ['--json', 'download', documentId, '-o', out]);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ digestChecked: true, size: plaintext.length });
    expect((await readFile(out)).equals(plaintext)).toBe(true);
  });

  it('exits non-zero with INTEGRITY_MISMATCH on a swapped object and leaves no file, partial or final', async () => {
    // Prepare
    const { documentId, plaintext } = await uploaded(3 * MiB + 5, 12);
    await replaceObject(documentId, await encryptBytes(await dekOf(documentId), { documentId, version: 1 }, plaintext));
    const dir = join(root, 'swapped');
    await mkdir(dir);

    // Act
    const run = await cli(home, ['--json', 'download', documentId, '-o', join(dir, 'out.bin')]);

    // Assess
    expect(run.code).toBe(1);
    expect(JSON.parse(run.stdout).error).toEqual({
      code: 'INTEGRITY_MISMATCH',
      message:
        `Integrity check failed: the stored content of ${documentId} (version 1) is not what its uploader sent ` +
        '(it was replaced, truncated or altered). Nothing was saved; report it to whoever runs the server.',
      details: { documentId, version: 1 },
    });
    expect(await readdir(dir)).toEqual([]);
  });

  it('exits non-zero with DECRYPTION_FAILED on an altered object and leaves no file', async () => {
    // Prepare
    const { documentId } = await uploaded(3 * MiB + 5, 13);
    const stored = Buffer.from(await storedObject(documentId));
    stored[chunkOffset(2) + 3]! ^= 0x80;
    await replaceObject(documentId, stored);
    const dir = join(root, 'altered');
    await mkdir(dir);

    // Act
    const run = await cli(home, ['--json', 'download', documentId, '-o', join(dir, 'out.bin')]);

    // Assess
    expect(run.code).toBe(1);
    expect(JSON.parse(run.stdout).error.code).toBe('DECRYPTION_FAILED');
    expect(await readdir(dir)).toEqual([]);
  });
});

import { describe, expect, it } from 'vitest';
import { ciphertextSize, encryptStream, generateDataKey, TagDigest } from '../../../shared/core/crypto/index.js';
import { ENCRYPTED_CHUNK_SIZE } from '../../../shared/core/crypto/streamSizes.js';
import type { UploadInstructions } from '../../../shared/core/api/schemas/documents.js';
import type { FetchLike } from '../../../client/sdk/ApiClient.js';
import type { ClientContext, Tuning } from '../../../client/sdk/ClientContext.js';
import { chunkEndAt, type CutPart, cutParts, PartBuffers } from '../../../client/sdk/multipart.js';
import { sendContent, sendEncrypted } from '../../../client/sdk/upload.js';
import { MemoryUploadJournal } from '../../../client/sdk/uploadJournal.js';
import { readAll } from '../../helpers/streams.js';
import { pseudoRandomBytes } from '../../helpers/pseudoRandomBytes.js';
import { rejection } from '../../helpers/rejection.js';

const DOC = 'partsPartsPartsParts00';
const S3 = 'https://s3.test';

function streamOf(bytes: Uint8Array, piece = 64 * 1024): ReadableStream<Uint8Array> {
  let offset = 0;
  return new ReadableStream({
    pull(controller) {
      if (offset >= bytes.length) return controller.close();
      controller.enqueue(bytes.slice(offset, offset + piece));
      offset += piece;
    },
  });
}

async function encrypted(plaintext: Uint8Array, dek = generateDataKey()): Promise<Uint8Array> {
  return readAll(streamOf(plaintext).pipeThrough(encryptStream(dek, { documentId: DOC, version: 1 })));
}

async function tagDigestOf(ciphertext: Uint8Array, start = 0, end = ciphertext.length): Promise<string> {
  return (await TagDigest.create(ciphertext.length, start)).update(ciphertext.subarray(start, end)).digest();
}

/** The parts a server plans for `size` ciphertext bytes: k whole encrypted chunks each (docs/versions.md). */
function multipartPlan(size: number, chunksPerPart: number): Extract<UploadInstructions, { kind: 'multipart' }> {
  const partSize = chunksPerPart * ENCRYPTED_CHUNK_SIZE;
  const count = Math.ceil(size / partSize);
  return {
    kind: 'multipart',
    uploadId: 'up-1',
    partSize,
    parts: Array.from({ length: count }, (_, i) => ({ partNumber: i + 1, url: `${S3}/part/${i + 1}` })),
    expiresAt: '',
  };
}

/** Object storage in memory: every PUT body read whole, its ETag, and the most PUTs in flight at once. */
class FakeStorage {
  readonly puts: { url: string; bytes: Uint8Array }[] = [];
  inFlight = 0;
  peakInFlight = 0;

  readonly fetch: FetchLike = async (url, init) => {
    this.inFlight++;
    this.peakInFlight = Math.max(this.peakInFlight, this.inFlight);
    try {
      const body = init?.body;
      const bytes = body instanceof ReadableStream ? await readAll(body as ReadableStream<Uint8Array>) : new Uint8Array(body as Uint8Array);
      await new Promise((resolve) => setTimeout(resolve, 2));
      this.puts.push({ url, bytes });
      return new Response(null, { status: 200, headers: { etag: `"etag-${url.split('/').pop()}"` } });
    } finally {
      this.inFlight--;
    }
  };

  object(): Uint8Array {
    const sorted = [...this.puts].sort((a, b) => partNumberOf(a.url) - partNumberOf(b.url));
    return Buffer.concat(sorted.map((p) => p.bytes));
  }
}

function partNumberOf(url: string): number {
  return Number(url.split('/').pop());
}

/** Just what sendContent uses: fetch and tuning; a session and a server URL for the journal. */
function contextFor(fetch: FetchLike, tuning: Partial<Tuning> = {}): ClientContext {
  const unused = () => {
    throw new Error('not used by sendContent');
  };
  return {
    api: { baseUrl: 'https://api.test' } as ClientContext['api'],
    keeper: { current: async () => ({ userId: 'alice' }) } as unknown as ClientContext['keeper'],
    recipients: {} as ClientContext['recipients'],
    fetch,
    privateKey: unused,
    tuning: { partConcurrency: 2, listConcurrency: 1, streamSingleUploads: true, bufferSingleUploadsUpTo: 1024, allowWeakKdf: true, ...tuning },
  };
}

describe('cutParts', () => {
  const plaintext = pseudoRandomBytes(5 * 1024 * 1024 + 12_345, 11);

  it.each([
    ['whole chunks (the server plan)', 2 * ENCRYPTED_CHUNK_SIZE],
    ['a size that cuts chunks anywhere', 1_500_000],
  ])('cuts parts of exactly the planned size, %s, each with the check digest of every chunk it touches', async (_label, partSize) => {
    // Prepare
    const ciphertext = await encrypted(plaintext);
    const buffers = new PartBuffers(1, partSize);
    // Act
    const parts: { start: number; bytes: Uint8Array; check: string }[] = [];
    for await (const part of cutParts(streamOf(ciphertext, 100_000), ciphertext.length, partSize, buffers)) {
      parts.push({ start: part.start, bytes: part.bytes.slice(), check: part.check });
      part.release();
    }
    // Assess
    const expectedSizes = Array.from({ length: Math.ceil(ciphertext.length / partSize) }, (_, i) => Math.min(partSize, ciphertext.length - i * partSize));
    expect(parts.map((p) => p.bytes.length)).toEqual(expectedSizes);
    expect(Buffer.compare(Buffer.concat(parts.map((p) => p.bytes)), ciphertext)).toBe(0);
    for (const part of parts) {
      const end = part.start + part.bytes.length;
      expect(part.check).toBe(await tagDigestOf(ciphertext, part.start, chunkEndAt(end - 1, ciphertext.length)));
    }
  });

  it('never has more parts in memory than buffers: the next part waits for a release', async () => {
    // Prepare
    const ciphertext = await encrypted(plaintext);
    const buffers = new PartBuffers(2, ENCRYPTED_CHUNK_SIZE);
    const held: CutPart[] = [];
    let peak = 0;
    // Act: hold every part until a third one is wanted, then release the oldest
    const cutting = (async () => {
      for await (const part of cutParts(streamOf(ciphertext), ciphertext.length, ENCRYPTED_CHUNK_SIZE, buffers)) {
        held.push(part);
        peak = Math.max(peak, buffers.inUse);
        setTimeout(() => held.shift()?.release(), 5);
      }
    })();
    await cutting;
    // Assess
    expect(peak).toBe(2);
    expect(buffers.inUse).toBeLessThanOrEqual(2);
  });

  it('refuses a stream that is shorter or longer than declared', async () => {
    const ciphertext = await encrypted(plaintext);
    const drain = async (size: number) => {
      for await (const part of cutParts(streamOf(ciphertext), size, ENCRYPTED_CHUNK_SIZE, new PartBuffers(1, ENCRYPTED_CHUNK_SIZE))) part.release();
    };
    expect(await rejection(drain(ciphertext.length + 16))).toBeInstanceOf(RangeError);
    expect(await rejection(drain(ciphertext.length - 16))).toBeInstanceOf(RangeError);
  });
});

describe('sendContent', () => {
  const plaintext = pseudoRandomBytes(7 * 1024 * 1024 + 999, 5);
  const size = plaintext.length;
  const ctSize = ciphertextSize(size);

  it('puts each planned part at most partConcurrency at a time, and returns the digest of the whole ciphertext', async () => {
    // Prepare
    const storage = new FakeStorage();
    const plan = multipartPlan(ctSize, 2);
    // Act
    const sent = await sendContent(contextFor(storage.fetch, { partConcurrency: 3 }), {
      documentId: DOC,
      version: 1,
      dek: generateDataKey(),
      stream: streamOf(plaintext),
      size,
      plan,
    });
    // Assess
    expect(storage.peakInFlight).toBeLessThanOrEqual(3);
    expect(storage.puts.map((p) => p.bytes.length).sort((a, b) => b - a)).toEqual(
      plan.parts.map((p) => Math.min(plan.partSize, ctSize - (p.partNumber - 1) * plan.partSize)).sort((a, b) => b - a),
    );
    expect(sent.parts).toEqual(plan.parts.map((p) => ({ partNumber: p.partNumber, etag: `"etag-${p.partNumber}"` })));
    const object = storage.object();
    expect(object.length).toBe(ctSize);
    expect(sent.digest).toBe(await tagDigestOf(object));
  });

  it('holds no more part buffers than partMemory allows, even with more parts allowed in flight', async () => {
    const storage = new FakeStorage();
    const plan = multipartPlan(ctSize, 1);
    await sendContent(contextFor(storage.fetch, { partConcurrency: 4, partMemory: 2 * plan.partSize }), {
      documentId: DOC,
      version: 1,
      dek: generateDataKey(),
      stream: streamOf(plaintext),
      size,
      plan,
    });
    expect(storage.peakInFlight).toBeLessThanOrEqual(2);
    expect(storage.puts).toHaveLength(plan.parts.length);
  });

  it('records the header and each part check in the journal before the part is sent', async () => {
    // Prepare
    const journal = new MemoryUploadJournal();
    const seenBeforePut: number[] = [];
    const storage = new FakeStorage();
    const fetch: FetchLike = async (url, init) => {
      const entry = await journal.load(DOC, 1);
      if (entry?.parts[String(partNumberOf(url))] && entry.header) seenBeforePut.push(partNumberOf(url));
      return storage.fetch(url, init);
    };
    const plan = multipartPlan(ctSize, 2);
    // Act
    await sendContent(contextFor(fetch), { documentId: DOC, version: 1, dek: generateDataKey(), stream: streamOf(plaintext), size, plan, journal: { store: journal } });
    // Assess
    expect(seenBeforePut.sort((a, b) => a - b)).toEqual(plan.parts.map((p) => p.partNumber));
    const entry = (await journal.load(DOC, 1))!;
    const object = storage.object();
    expect(entry).toMatchObject({ documentId: DOC, version: 1, kind: 'multipart', uploadId: 'up-1', partSize: plan.partSize, plaintextSize: size });
    expect(Buffer.from(entry.header!, 'base64url')).toEqual(Buffer.from(object.subarray(0, 38)));
    for (const p of plan.parts) {
      const start = (p.partNumber - 1) * plan.partSize;
      const end = Math.min(start + plan.partSize, ctSize);
      expect(entry.parts[String(p.partNumber)]).toBe(await tagDigestOf(object, start, chunkEndAt(end - 1, ctSize)));
    }
  });

  it('resuming sends only missing parts, and refuses a changed part with FILE_CHANGED before sending any of it', async () => {
    // Prepare: a first upload recorded in a journal; S3 "kept" parts 1 and 2 of 4
    const dek = generateDataKey();
    const journal = new MemoryUploadJournal();
    const first = new FakeStorage();
    const plan = multipartPlan(ctSize, 2);
    await sendContent(contextFor(first.fetch), { documentId: DOC, version: 1, dek, stream: streamOf(plaintext), size, plan, journal: { store: journal } });
    const entry = (await journal.load(DOC, 1))!;
    const kept = first.puts.filter((p) => partNumberOf(p.url) <= 2);
    const stored = new Map(kept.map((p) => [partNumberOf(p.url), { etag: `"etag-${partNumberOf(p.url)}"`, size: p.bytes.length }]));
    const state = { header: Buffer.from(entry.header!, 'base64url'), stored, checks: entry.parts };
    const rest = { ...plan, parts: plan.parts.filter((p) => p.partNumber > 2) };
    // Act: the same plaintext
    const again = new FakeStorage();
    const sent = await sendEncrypted(contextFor(again.fetch), { documentId: DOC, version: 1, dek, stream: streamOf(plaintext), size, plan: rest }, state);
    // Act: one byte changed in part 2's range (a stored part)
    const changed = plaintext.slice();
    changed[plan.partSize + 100]! ^= 1;
    const refused = new FakeStorage();
    const error = await rejection(
      sendEncrypted(contextFor(refused.fetch), { documentId: DOC, version: 1, dek, stream: streamOf(changed), size, plan: rest }, state),
    );
    // Assess
    expect(again.puts.map((p) => partNumberOf(p.url)).sort()).toEqual(rest.parts.map((p) => p.partNumber));
    expect(Buffer.compare(Buffer.concat([...kept.map((p) => p.bytes), ...again.puts.sort((a, b) => partNumberOf(a.url) - partNumberOf(b.url)).map((p) => p.bytes)]), first.object())).toBe(0);
    expect(sent.digest).toBe(await tagDigestOf(first.object()));
    expect(error).toMatchObject({ code: 'FILE_CHANGED', details: { partNumber: 2 } });
    expect(refused.puts).toEqual([]);
  });
});

import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ciphertextSize } from '../../../shared/core/crypto/index.js';
import { forEachBounded } from '../../../client/sdk/bounded.js';
import { partCount, splitIntoParts } from '../../../client/sdk/multipart.js';
import { bytes, caught, readAll, registered, sameBytes, type TestUser } from './support/clients.js';
import { FakeCoffer, json, S3 } from './support/FakeCoffer.js';

function streamOf(chunks: Uint8Array[], onCancel?: () => void): ReadableStream<Uint8Array> {
  let i = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (i < chunks.length) controller.enqueue(chunks[i++]!);
      else controller.close();
    },
    cancel: onCancel,
  });
}

async function parts(chunks: Uint8Array[], partSize: number): Promise<Uint8Array[]> {
  const out: Uint8Array[] = [];
  for await (const part of splitIntoParts(streamOf(chunks), partSize)) out.push(part);
  return out;
}

describe('splitIntoParts', () => {
  const data = bytes(1000);

  it.each([
    ['one big chunk', [data]],
    ['many small chunks', Array.from({ length: 100 }, (_, i) => data.subarray(i * 10, i * 10 + 10))],
    ['uneven chunks across part boundaries', [data.subarray(0, 299), data.subarray(299, 301), data.subarray(301, 999), data.subarray(999)]],
  ])('cuts %s into exact parts, the last one shorter', async (_label, chunks) => {
    const result = await parts(chunks, 300);
    expect(result.map((p) => p.length)).toEqual([300, 300, 300, 100]);
    expect(sameBytes(Buffer.concat(result), data)).toBe(true);
  });

  it('makes no empty trailing part when the size is a multiple of the part size', async () => {
    expect((await parts([data], 250)).map((p) => p.length)).toEqual([250, 250, 250, 250]);
  });

  it('yields nothing for an empty stream', async () => {
    expect(await parts([], 10)).toEqual([]);
  });

  it('cancels the source when the consumer stops early', async () => {
    let cancelled = false;
    const source = streamOf([data, data, data], () => {
      cancelled = true;
    });
    for await (const part of splitIntoParts(source, 100)) {
      expect(part.length).toBe(100);
      break;
    }
    expect(cancelled).toBe(true);
  });

  it('refuses a non-positive part size', async () => {
    expect(await caught(parts([data], 0))).toBeInstanceOf(RangeError);
  });

  it('agrees with partCount', () => {
    expect([partCount(1000, 300), partCount(1000, 250), partCount(1, 250)]).toEqual([4, 4, 1]);
  });
});

describe('forEachBounded', () => {
  it('never runs more than the limit at once, and runs everything', async () => {
    let running = 0;
    let peak = 0;
    const done: number[] = [];
    await forEachBounded([1, 2, 3, 4, 5, 6, 7], 3, async (n) => {
      running++;
      peak = Math.max(peak, running);
      await new Promise((r) => setTimeout(r, 5 + (n % 3)));
      running--;
      done.push(n);
    });
    expect(peak).toBe(3);
    expect(done.sort()).toEqual([1, 2, 3, 4, 5, 6, 7]);
  });

  it('stops pulling after a failure and rethrows it', async () => {
    const started: number[] = [];
    async function* items() {
      for (let i = 0; i < 100; i++) yield i;
    }
    const error = await caught(
      forEachBounded(items(), 2, async (n) => {
        started.push(n);
        await new Promise((r) => setTimeout(r, 1));
        if (n === 3) throw new Error('part 3 failed');
      }),
    );
    expect(error.message).toBe('part 3 failed');
    expect(started.length).toBeLessThan(10);
  });
});

describe('multipart upload', () => {
  const server = new FakeCoffer();
  server.settings.multipartThreshold = 256 * 1024;
  server.settings.partSize = 100 * 1024;
  let alice: TestUser;
  const plaintext = bytes(1_000_000, 7);

  beforeAll(async () => {
    alice = await registered(server, 'alice', { partConcurrency: 3 });
  });

  beforeEach(() => {
    server.clearInterceptors();
    server.calls.length = 0;
  });

  it('PUTs each part to its URL with bounded parallelism, then completes with the ETags in order', async () => {
    // Prepare
    let inFlight = 0;
    let peak = 0;
    server.intercept(async (call) => {
      if (call.method !== 'PUT' || !call.url.startsWith(`${S3}/part/`)) return undefined;
      inFlight++;
      peak = Math.max(peak, inFlight);
      await new Promise((r) => setTimeout(r, 10));
      inFlight--;
      return undefined;
    });
    const progress: number[] = [];
    // Act
    const result = await alice.client.upload(plaintext, { name: 'big.bin', onProgress: ({ bytes: b }) => progress.push(b) });
    // Assess
    const ctSize = ciphertextSize(plaintext.length);
    const puts = server.calls.filter((c) => c.method === 'PUT' && c.url.includes(`/part/`));
    const full = Math.floor(ctSize / 102_400);
    expect(full).toBe(9);
    expect(puts.map((c) => c.bytes!.length)).toEqual([...Array(full).fill(102_400), ctSize - full * 102_400]);
    expect(sameBytes(Buffer.concat(puts.map((c) => c.bytes!)), server.objects.get(result.documentId)!)).toBe(true);
    expect(peak).toBe(3);
    const complete = server.callsTo('POST', `/documents/${result.documentId}/complete`)[0]!;
    const sent = (complete.body as { parts: { partNumber: number; etag: string }[] }).parts;
    expect(sent.map((p) => p.partNumber)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(sent.every((p) => /^"\d+-[0-9a-f]+"$/.test(p.etag))).toBe(true);
    expect(progress.at(-1)).toBe(plaintext.length);
    const download = await alice.client.download(result.documentId);
    expect(sameBytes(await readAll(download.stream), plaintext)).toBe(true);
  });

  it('retries a part that failed with a 5xx', async () => {
    let failures = 1;
    server.intercept((call) => {
      if (call.method === 'PUT' && call.url.endsWith('/2') && failures > 0) {
        failures--;
        return new Response('<Error><Code>InternalError</Code></Error>', { status: 500 });
      }
      return undefined;
    });
    const result = await alice.client.upload(bytes(300_000, 3), { name: 'retry.bin' });
    const download = await alice.client.download(result.documentId);
    expect(sameBytes(await readAll(download.stream), bytes(300_000, 3))).toBe(true);
    expect(failures).toBe(0);
  });

  it('refuses a plan whose part count does not fit the ciphertext, before uploading anything', async () => {
    server.intercept((call) => {
      if (call.method !== 'POST' || call.path !== '/documents') return undefined;
      const body = call.body as { documentId: string };
      return json(201, {
        documentId: body.documentId,
        upload: { kind: 'multipart', uploadId: 'u', partSize: 100 * 1024, parts: [{ partNumber: 1, url: `${S3}/part/u/1` }], expiresAt: '' },
      });
    });
    const before = server.calls.filter((c) => c.method === 'PUT').length;
    const error = await caught(alice.client.upload(bytes(400_000), { name: 'x.bin' }));
    expect(error).toMatchObject({ code: 'UPLOAD_PLAN_MISMATCH' });
    expect(error.message).toBe(`The server planned 1 parts of 102400 bytes for ${ciphertextSize(400_000)} bytes; expected parts 1..4.`);
    expect(server.calls.filter((c) => c.method === 'PUT').length).toBe(before);
  });

  it('fails when storage returns no ETag for a part', async () => {
    server.intercept((call) => (call.method === 'PUT' && call.url.includes('/part/') ? new Response(null, { status: 200 }) : undefined));
    const error = await caught(alice.client.upload(bytes(400_000, 9), { name: 'x.bin' }));
    expect(error).toMatchObject({ code: 'UPLOAD_PLAN_MISMATCH' });
    expect(error.message).toMatch(/^Object storage returned no ETag for part \d+ \(is ETag exposed by CORS\?\)\.$/);
  });
});

import { describe, expect, it } from 'vitest';
import type { FetchLike } from '../../../client/sdk/ApiClient.js';
import { putPresigned } from '../../../client/sdk/presigned.js';

/** A storage double: answers each PUT in turn with the given statuses, recording what was sent. */
function storage(statuses: number[]): { fetch: FetchLike; bodies: unknown[] } {
  const bodies: unknown[] = [];
  const fetch: FetchLike = async (_url, init) => {
    bodies.push(init?.body);
    const status = statuses.shift() ?? 200;
    return new Response(status === 200 ? null : 'busy', { status, headers: status === 200 ? { etag: '"e1"' } : {} });
  };
  return { fetch, bodies };
}

describe('putPresigned with blobBody (browsers)', () => {
  it('sends the buffer as one Blob of the same bytes, the same snapshot on every attempt, even after the buffer is reused', async () => {
    const bytes = new Uint8Array([1, 2, 3, 4, 5]);
    const { fetch, bodies } = storage([503, 200]);
    const sent = putPresigned(fetch, 'https://storage.test/part', bytes, bytes.byteLength, { blobBody: true });
    bytes.fill(9); // the caller reuses its part buffer at once: the Blob was copied before
    expect(await sent).toBe('"e1"');
    expect(bodies).toHaveLength(2);
    expect(bodies[0]).toBeInstanceOf(Blob);
    expect(bodies[1]).toBe(bodies[0]);
    expect([...new Uint8Array(await (bodies[0] as Blob).arrayBuffer())]).toEqual([1, 2, 3, 4, 5]);
  });

  it('sends the Uint8Array itself without it, and a stream of slices when streamBuffer wins', async () => {
    const bytes = new Uint8Array([7, 8]);
    const plain = storage([200]);
    await putPresigned(plain.fetch, 'https://storage.test/part', bytes, 2);
    expect(plain.bodies[0]).toBe(bytes);
    const streamed = storage([200]);
    await putPresigned(streamed.fetch, 'https://storage.test/part', bytes, 2, { blobBody: true, streamBuffer: true });
    expect(streamed.bodies[0]).toBeInstanceOf(ReadableStream);
  });
});

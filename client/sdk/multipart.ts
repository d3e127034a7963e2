/**
 * Cuts a byte stream into parts of exactly `partSize` bytes (the last one shorter), as
 * S3 multipart upload requires. Holds one part in memory at a time; the consumer
 * decides how many it keeps in flight. Stopping early (break, throw) cancels the source.
 */
export async function* splitIntoParts(
  stream: ReadableStream<Uint8Array>,
  partSize: number,
): AsyncGenerator<Uint8Array<ArrayBuffer>, void, undefined> {
  if (!Number.isSafeInteger(partSize) || partSize <= 0) throw new RangeError(`invalid part size ${partSize}`);
  const reader = stream.getReader();
  let part = new Uint8Array(partSize);
  let filled = 0;
  let finished = false;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      let offset = 0;
      while (offset < value.byteLength) {
        const n = Math.min(partSize - filled, value.byteLength - offset);
        part.set(value.subarray(offset, offset + n), filled);
        filled += n;
        offset += n;
        if (filled === partSize) {
          yield part;
          part = new Uint8Array(partSize);
          filled = 0;
        }
      }
    }
    finished = true;
    if (filled > 0) yield part.slice(0, filled);
  } finally {
    if (!finished) await reader.cancel().catch(() => undefined);
    reader.releaseLock();
  }
}

/** Number of parts `size` bytes make at `partSize` bytes each. */
export function partCount(size: number, partSize: number): number {
  return Math.ceil(size / partSize);
}

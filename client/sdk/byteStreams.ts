import { SizeMismatchError } from './errors.js';

/** What `upload` accepts: a WHATWG stream (Node file helper, fetch body), raw bytes, or a Blob/File. */
export type ByteSource = ReadableStream<Uint8Array> | Uint8Array | ArrayBuffer | Blob;

/** Turns a source into a byte stream and its size (required for streams: the server needs it before the upload). */
export function openSource(source: ByteSource, declaredSize: number | undefined): { stream: ReadableStream<Uint8Array>; size: number } {
  if (source instanceof ReadableStream) {
    if (declaredSize === undefined) throw new TypeError('upload: `size` is required when the source is a stream');
    return { stream: source, size: declaredSize };
  }
  if (typeof Blob !== 'undefined' && source instanceof Blob) {
    return { stream: source.stream() as ReadableStream<Uint8Array>, size: source.size };
  }
  const bytes = source instanceof Uint8Array ? source : new Uint8Array(source as ArrayBuffer);
  return {
    stream: new ReadableStream<Uint8Array>({
      start(controller) {
        if (bytes.length > 0) controller.enqueue(bytes);
        controller.close();
      },
    }),
    size: bytes.length,
  };
}

/** Passes bytes through, reporting the running total after each chunk. */
export function countingStream(onBytes: (total: number) => void): TransformStream<Uint8Array, Uint8Array> {
  let total = 0;
  return new TransformStream({
    transform(chunk, controller) {
      total += chunk.byteLength;
      controller.enqueue(chunk);
      onBytes(total);
    },
  });
}

/**
 * Fails the stream unless it carries exactly `expected` bytes: the ciphertext size was
 * declared to the server up front, and a file that grows or shrinks meanwhile must not
 * produce a silently truncated document.
 */
export function exactLengthStream(expected: number): TransformStream<Uint8Array, Uint8Array> {
  let total = 0;
  return new TransformStream({
    transform(chunk, controller) {
      total += chunk.byteLength;
      if (total > expected) throw new SizeMismatchError(expected, total);
      controller.enqueue(chunk);
    },
    flush() {
      if (total !== expected) throw new SizeMismatchError(expected, total);
    },
  });
}

/** Reads a whole stream of known length into one buffer. */
export async function collect(stream: ReadableStream<Uint8Array>, size: number): Promise<Uint8Array<ArrayBuffer>> {
  const out = new Uint8Array(size);
  let offset = 0;
  const reader = stream.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (offset + value.byteLength > size) {
      await reader.cancel();
      throw new SizeMismatchError(size, offset + value.byteLength);
    }
    out.set(value, offset);
    offset += value.byteLength;
  }
  if (offset !== size) throw new SizeMismatchError(size, offset);
  return out;
}

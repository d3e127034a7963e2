import { describe, expect, it } from 'vitest';
import { readForView, VIEW_LIMIT_BYTES, viewable } from '../../../client/web/src/view/viewContent.js';

const bytes = (...values: number[]) => new Uint8Array(values);

function streamOf(chunks: Uint8Array[]): { stream: ReadableStream<Uint8Array>; cancelled: () => boolean } {
  let cancelled = false;
  let i = 0;
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (i < chunks.length) controller.enqueue(chunks[i++]!);
      else controller.close();
    },
    cancel() {
      cancelled = true;
    },
  });
  return { stream, cancelled: () => cancelled };
}

describe('viewable', () => {
  it('recognises raster images by their bytes, whatever the name', () => {
    expect(viewable(bytes(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0))).toMatchObject({ kind: 'image', type: 'image/png' });
    expect(viewable(bytes(0xff, 0xd8, 0xff, 0xe0))).toMatchObject({ kind: 'image', type: 'image/jpeg' });
    expect(viewable(new TextEncoder().encode('RIFF\0\0\0\0WEBPVP8 '))).toMatchObject({ kind: 'image', type: 'image/webp' });
  });

  it('shows UTF-8 text, and never SVG as an image (it can carry script)', () => {
    const svg = '<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>';
    expect(viewable(new TextEncoder().encode(svg))).toEqual({ kind: 'text', text: svg });
    expect(viewable(new TextEncoder().encode('naïve ✓'))).toEqual({ kind: 'text', text: 'naïve ✓' });
  });

  it('refuses binary: NUL bytes or invalid UTF-8', () => {
    expect(viewable(bytes(0x41, 0, 0x42))).toEqual({ kind: 'other' });
    expect(viewable(bytes(0xc3, 0x28))).toEqual({ kind: 'other' });
  });
});

describe('readForView', () => {
  it('joins the chunks', async () => {
    const { stream } = streamOf([bytes(1, 2), bytes(3)]);
    expect(await readForView(stream)).toEqual(bytes(1, 2, 3));
  });

  it('stops and cancels the stream past the limit', async () => {
    const big = new Uint8Array(8 * 1024 * 1024);
    const { stream, cancelled } = streamOf([big, big, big]);
    await expect(readForView(stream)).rejects.toMatchObject({ code: 'VIEW_TOO_LARGE' });
    expect(cancelled()).toBe(true);
    expect(VIEW_LIMIT_BYTES).toBe(20 * 1024 * 1024);
  });
});

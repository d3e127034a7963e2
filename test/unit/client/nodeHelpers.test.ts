import { mkdtemp, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { YOUNG_GC_EVERY_BYTES, youngGarbageCollector } from '../../../client/sdk/node/collectYoungGarbage.js';
import { FileKeyPinStore } from '../../../client/sdk/node/FileKeyPinStore.js';
import { FileSessionStore } from '../../../client/sdk/node/FileSessionStore.js';
import { openFile } from '../../../client/sdk/node/fileSource.js';
import { FileExistsError, saveStreamToFile } from '../../../client/sdk/node/saveStream.js';
import type { Session } from '../../../client/sdk/Session.js';
import { bytes, caught, readAll, sameBytes } from './support/clients.js';

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'coffer-client-'));
});

const mode = async (path: string) => (await stat(path)).mode & 0o777;

function streamOf(chunks: Uint8Array[], failAfter?: number): ReadableStream<Uint8Array> {
  let i = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (failAfter !== undefined && i === failAfter) controller.error(Object.assign(new Error('Decryption failed.'), { code: 'DECRYPTION_FAILED' }));
      else if (i < chunks.length) controller.enqueue(chunks[i++]!);
      else controller.close();
    },
  });
}

const session: Session = {
  serverUrl: 'http://127.0.0.1:8787',
  userId: 'alice',
  accessToken: 'a',
  accessExpiresAt: '2030-01-01T00:00:00.000Z',
  refreshToken: 'r',
  refreshExpiresAt: '2030-01-01T00:00:00.000Z',
  privateKeyPkcs8: 'pk',
  publicKeySpki: 'spki',
  fingerprint: 'fp',
};

describe('FileSessionStore', () => {
  it('writes session.json with mode 0600 in a 0700 directory, and clears it', async () => {
    const home = join(dir, 'home');
    const store = new FileSessionStore(join(home, 'session.json'));
    await store.save(session);
    expect(await mode(home)).toBe(0o700);
    expect(await mode(join(home, 'session.json'))).toBe(0o600);
    expect(await store.load()).toEqual(session);
    await store.clear();
    expect(await store.load()).toBeUndefined();
    expect(await readdir(home)).toEqual([]);
  });

  it('refuses a file that is not a session, saying what to do', async () => {
    await writeFile(join(dir, 'session.json'), '{"userId":"x"}');
    const error = await caught(new FileSessionStore(join(dir, 'session.json')).load());
    expect(error).toMatchObject({ code: 'PROFILE_FILE_INVALID', message: `${join(dir, 'session.json')} is not a Coffer session: delete it and log in again.` });
  });
});

describe('FileKeyPinStore', () => {
  it('keeps pins per server in one 0600 file and keeps pins written by another store', async () => {
    const path = join(dir, 'pins.json');
    const local = new FileKeyPinStore(path, 'http://127.0.0.1:8787');
    const other = new FileKeyPinStore(path, 'https://coffer.example');
    await local.set('bob', 'aa');
    await other.set('bob', 'bb');
    await local.set('carol', 'cc');
    expect(await local.get('bob')).toBe('aa');
    expect(await other.get('bob')).toBe('bb');
    expect(await other.get('carol')).toBeUndefined();
    expect(await mode(path)).toBe(0o600);
    expect(JSON.parse(await readFile(path, 'utf8'))).toEqual({
      version: 1,
      servers: { 'http://127.0.0.1:8787': { bob: 'aa', carol: 'cc' }, 'https://coffer.example': { bob: 'bb' } },
    });
  });
});

describe('saveStreamToFile', () => {
  it('writes through a temp file and leaves only the target, mode 0600', async () => {
    const target = join(dir, 'out.bin');
    const data = bytes(3000);
    const result = await saveStreamToFile(streamOf([data.subarray(0, 1000), data.subarray(1000)]), target);
    expect(result).toEqual({ path: target, bytes: 3000 });
    expect(sameBytes(await readFile(target), data)).toBe(true);
    expect(await mode(target)).toBe(0o600);
    expect(await readdir(dir)).toEqual(['out.bin']);
  });

  it('leaves nothing behind when the stream fails (e.g. authentication) midway', async () => {
    const target = join(dir, 'out.bin');
    const error = await caught(saveStreamToFile(streamOf([bytes(10), bytes(10), bytes(10)], 2), target));
    expect(error.code).toBe('DECRYPTION_FAILED');
    expect(await readdir(dir)).toEqual([]);
  });

  it('never overwrites without force, and does not consume the download', async () => {
    const target = join(dir, 'exists.txt');
    await writeFile(target, 'keep me');
    const error = await caught(saveStreamToFile(streamOf([bytes(10)]), target));
    expect(error).toBeInstanceOf(FileExistsError);
    expect(error).toMatchObject({ code: 'FILE_EXISTS', message: `${target} already exists.` });
    expect(await readFile(target, 'utf8')).toBe('keep me');
    expect(await readdir(dir)).toEqual(['exists.txt']);
  });

  it('removes the temp file and puts nothing in place when aborted (Ctrl-C)', async () => {
    const target = join(dir, 'out.bin');
    const controller = new AbortController();
    let sent = 0;
    const endless = new ReadableStream<Uint8Array>({
      async pull(c) {
        if (++sent === 3) controller.abort(Object.assign(new Error('Cancelled: nothing was saved.'), { code: 'CANCELLED' }));
        await new Promise((r) => setTimeout(r, 1));
        c.enqueue(bytes(1000));
      },
    });
    const error = await caught(saveStreamToFile(endless, target, { signal: controller.signal }));
    expect(error).toMatchObject({ code: 'CANCELLED', message: 'Cancelled: nothing was saved.' });
    expect(await readdir(dir)).toEqual([]);
  });

  it('replaces an existing file with force', async () => {
    const target = join(dir, 'exists.txt');
    await writeFile(target, 'old');
    await saveStreamToFile(streamOf([new TextEncoder().encode('new')]), target, { force: true });
    expect(await readFile(target, 'utf8')).toBe('new');
    expect(await readdir(dir)).toEqual(['exists.txt']);
  });
});

describe('openFile', () => {
  it('streams a file with its size and base name', async () => {
    const path = join(dir, 'in.bin');
    const data = bytes(3 * 1024 * 1024 + 5);
    await writeFile(path, data);
    const source = await openFile(path);
    expect(source.size).toBe(data.length);
    expect(source.name).toBe('in.bin');
    expect(sameBytes(await readAll(source.stream), data)).toBe(true);
  });

  it('refuses a directory with NOT_A_FILE', async () => {
    expect(await caught(openFile(dir))).toMatchObject({ code: 'NOT_A_FILE', message: `${dir} is not a regular file.` });
  });
});

describe('youngGarbageCollector', () => {
  const MiB = 1024 * 1024;
  const globals = globalThis as { gc?: unknown };
  const original = globals.gc;
  afterEach(() => {
    if (original === undefined) delete globals.gc;
    else globals.gc = original;
  });

  it('runs a minor GC each time YOUNG_GC_EVERY_BYTES have passed, when gc is exposed', () => {
    const gc = vi.fn();
    globals.gc = gc;
    const collect = youngGarbageCollector();

    for (let i = 0; i < (3 * YOUNG_GC_EVERY_BYTES) / MiB; i++) collect(MiB);
    collect(MiB - 1);

    expect(YOUNG_GC_EVERY_BYTES).toBe(2 * MiB);
    expect(gc).toHaveBeenCalledTimes(3);
    expect(gc).toHaveBeenCalledWith({ type: 'minor' });
  });

  it('does nothing where gc is not exposed (no --expose-gc)', () => {
    delete globals.gc;
    const collect = youngGarbageCollector(1);

    expect(() => collect(10 * MiB)).not.toThrow();
  });

  it('paces minor GCs while openFile reads a file', async () => {
    const gc = vi.fn();
    globals.gc = gc;
    const path = join(dir, 'paced.bin');
    await writeFile(path, bytes(6 * MiB));

    const source = await openFile(path);
    await readAll(source.stream);

    // Seven 1 MiB read buffers (the seventh finds the end): one GC per two, as reads 2, 4 and 6 allocate theirs.
    expect(gc).toHaveBeenCalledTimes(3);
  });
});

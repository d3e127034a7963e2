import { mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startS3Local, type S3Local } from '../../../infra/local/startS3Local.js';
import { S3AuditArchive } from '../../../shared/server/adapters/aws/S3AuditArchive.js';
import { LocalDirectoryAuditArchive } from '../../../shared/server/adapters/local/LocalDirectoryAuditArchive.js';
import { s3Client } from '../../../shared/server/config/clients.js';
import { auditArchiveObject } from '../../../shared/server/data/keys.js';
import type { AuditArchive } from '../../../shared/server/ports/AuditArchive.js';

/**
 * The AuditArchive contract, run unchanged against every adapter: the S3 adapter on s3rver (the
 * same code as on AWS, where the bucket adds versioning and Object Lock), and the local
 * directory adapter.
 */

const utf8 = (text: string) => new TextEncoder().encode(text);

interface Fixture {
  archive: AuditArchive;
  /** The current bytes at `key`, read around the port (which only writes). */
  read(key: string): Promise<string>;
  /** An archive of the same kind whose store fails, and the names its errors must not reveal. */
  broken(): { archive: AuditArchive; secrets: string[] };
}

interface Adapter {
  name: string;
  setUp(): Promise<Fixture>;
  tearDown(): Promise<void>;
}

let s3: S3Local | undefined;
let directory: string | undefined;

const adapters: Adapter[] = [
  {
    name: 'S3AuditArchive (s3rver)',
    setUp: async () => {
      s3 = await startS3Local('contract-audit-archive', ['http://127.0.0.1:5173']);
      const client = s3Client({ s3: s3.endpoint });
      return {
        archive: new S3AuditArchive(client, 'contract-audit-archive'),
        read: async (key) => (await client.send(new GetObjectCommand({ Bucket: 'contract-audit-archive', Key: key }))).Body!.transformToString(),
        broken: () => ({
          // A bucket that does not exist: s3rver answers NoSuchBucket, naming it.
          archive: new S3AuditArchive(s3Client({ s3: s3!.endpoint }), 'secret-missing-bucket'),
          secrets: ['secret-missing-bucket', 'audit/'],
        }),
      };
    },
    tearDown: async () => s3?.stop(),
  },
  {
    name: 'LocalDirectoryAuditArchive',
    setUp: async () => {
      directory = await mkdtemp(join(tmpdir(), 'coffer-archive-contract-'));
      const archive = new LocalDirectoryAuditArchive(directory);
      return {
        archive,
        read: async (key) => Buffer.from((await archive.versions(key)).at(-1)!).toString(),
        broken: () => ({
          // A "directory" that is a file: every write fails with ENOTDIR, naming the path.
          archive: new LocalDirectoryAuditArchive(join(directory!, 'not-a-directory')),
          secrets: [directory!, 'not-a-directory'],
        }),
      };
    },
    tearDown: async () => {
      if (directory) await rm(directory, { recursive: true, force: true });
    },
  },
];

describe.each(adapters)('AuditArchive contract: $name', ({ setUp, tearDown, name }) => {
  let fixture: Fixture;
  beforeAll(async () => {
    fixture = await setUp();
  });
  afterAll(() => tearDown());

  it('stores the bytes under the key', async () => {
    const key = auditArchiveObject('03', 1, 2);
    await fixture.archive.put(key, utf8('{"seq":1}\n{"seq":2}\n'));
    expect(await fixture.read(key)).toBe('{"seq":1}\n{"seq":2}\n');
  });

  it('accepts the same bytes again under the same key (a re-run after a crash)', async () => {
    const key = auditArchiveObject('03', 3, 4);
    await fixture.archive.put(key, utf8('same\n'));
    await fixture.archive.put(key, utf8('same\n'));
    expect(await fixture.read(key)).toBe('same\n');
  });

  it('accepts other bytes under the same key as the current version', async () => {
    const key = auditArchiveObject('03', 5, 5);
    await fixture.archive.put(key, utf8('first\n'));
    await fixture.archive.put(key, utf8('second\n'));
    expect(await fixture.read(key)).toBe('second\n');
  });

  it.each(['../../etc/passwd', 'docs/x/v1', 'audit/03/1-2.jsonl', 'audit/03/000000000001-000000000002.json', '/audit/03/000000000001-000000000002.jsonl', 'audit/../000000000001-000000000002.jsonl'])(
    'refuses the key %s before writing anything',
    async (key) => {
      await expect(fixture.archive.put(key, utf8('x'))).rejects.toThrow(TypeError);
    },
  );

  it('refuses a body that is not bytes', async () => {
    await expect(fixture.archive.put(auditArchiveObject('03', 6, 6), 'text' as never)).rejects.toThrow(TypeError);
  });

  it('answers SERVICE_UNAVAILABLE when the store fails, naming no bucket, key or path', async () => {
    if (name === 'LocalDirectoryAuditArchive') await writeFile(join(directory!, 'not-a-directory'), 'file');
    const { archive, secrets } = fixture.broken();
    const error = await archive.put(auditArchiveObject('03', 7, 7), utf8('x')).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'SERVICE_UNAVAILABLE', message: 'The audit archive could not be written: the next run retries.' });
    for (const secret of secrets) expect(JSON.stringify({ ...(error as object), message: (error as Error).message })).not.toContain(secret);
  });
});

describe('LocalDirectoryAuditArchive, like a versioned Object Lock bucket', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'coffer-archive-local-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('keeps every earlier version of a key, read-only', async () => {
    const archive = new LocalDirectoryAuditArchive(dir);
    const key = auditArchiveObject('00', 1, 1);
    await archive.put(key, utf8('one\n'));
    await archive.put(key, utf8('two\n'));
    await archive.put(key, utf8('two\n'));
    expect((await archive.versions(key)).map((v) => Buffer.from(v).toString())).toEqual(['one\n', 'two\n']);
    for (const file of await readdir(join(dir, 'audit', '00'))) {
      expect((await stat(join(dir, 'audit', '00', file))).mode & 0o222).toBe(0);
    }
  });

  it('stores one version for concurrent puts of the same bytes, and leaves no staging file', async () => {
    const archive = new LocalDirectoryAuditArchive(dir);
    const key = auditArchiveObject('01', 1, 9);
    await Promise.all(Array.from({ length: 8 }, () => archive.put(key, utf8('same\n'))));
    expect(await archive.versions(key)).toHaveLength(1);
    expect(await readdir(join(dir, 'audit', '01'))).toEqual(['000000000001-000000000009.jsonl']);
  });

  it('lists no versions for a key never put', async () => {
    expect(await new LocalDirectoryAuditArchive(dir).versions(auditArchiveObject('02', 1, 1))).toEqual([]);
  });
});

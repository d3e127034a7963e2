import { GetObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkpointHandler } from '../../functions/audit/handler.js';
import { startS3Local, type S3Local } from '../../infra/local/startS3Local.js';
import { S3AuditArchive } from '../../shared/server/adapters/aws/S3AuditArchive.js';
import { type ArchiveRun, archiveAuditLog } from '../../shared/server/audit/archiveAuditLog.js';
import { eventHash, GENESIS_HASH } from '../../shared/server/audit/eventHash.js';
import { signCheckpoints } from '../../shared/server/audit/signCheckpoints.js';
import { verifyAuditLog } from '../../shared/server/audit/verifyAuditLog.js';
import { s3Client } from '../../shared/server/config/clients.js';
import { recordAudit } from '../../shared/server/data/audit.js';
import { readArchiveCursor } from '../../shared/server/data/auditArchive.js';
import { auditShards, readChainHead } from '../../shared/server/data/auditChain.js';
import { keys } from '../../shared/server/data/keys.js';
import type { AuditArchive } from '../../shared/server/ports/AuditArchive.js';
import { type LocalStack, startLocalStack } from '../helpers/localStack.js';
import { sampleAuditEvent } from '../helpers/auditEvents.js';

/**
 * The audit archive (docs/audit.md, "Archive") on DynamoDB Local and s3rver, through the same S3
 * adapter as on AWS: every checkpointed event archived exactly once, in order, each line still
 * verifying; the cursor guarded against concurrent runs and crashes.
 */
const BUCKET = 'coffer-audit-archive';
let stack: LocalStack;
let s3: S3Local;
let client: S3Client;
let archive: S3AuditArchive;
type Item = Record<string, any>;

const event = sampleAuditEvent;

const db = () => stack.deps.db;
let written = 0;
async function write(count: number): Promise<void> {
  const from = written;
  written += count;
  await Promise.all(Array.from({ length: count }, (_, i) => recordAudit(db(), event(from + i))));
}

async function objectKeys(): Promise<string[]> {
  const out = await client.send(new ListObjectsV2Command({ Bucket: BUCKET }));
  return (out.Contents ?? []).map((o) => o.Key!).sort();
}

async function readLines(key: string): Promise<Item[]> {
  const out = await client.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
  const text = await out.Body!.transformToString();
  expect(text.endsWith('\n')).toBe(true);
  return text.slice(0, -1).split('\n').map((line) => JSON.parse(line) as Item);
}

/** Every archived object, checked line by line: hashes, links across objects, checkpoints. Returns the archived events. */
async function checkArchive(): Promise<Item[]> {
  const events: Item[] = [];
  const lastHash = new Map<string, string>();
  const lastSeq = new Map<string, number>();
  for (const key of await objectKeys()) {
    const [, shard, from, to] = /^audit\/(\d+)\/(\d{12})-(\d{12})\.jsonl$/.exec(key)!;
    const lines = await readLines(key);
    const checkpoint = lines.at(-1)!.type === 'auditCheckpoint' ? lines.pop() : undefined;
    expect(lines[0]!.seq).toBe(Number(from));
    expect(lines.at(-1)!.seq).toBe(Number(to));
    expect(Number(from)).toBe((lastSeq.get(shard!) ?? 0) + 1);
    let previous = lastHash.get(shard!) ?? GENESIS_HASH;
    for (const line of lines) {
      expect(line).toMatchObject({ pk: keys.auditPartition(shard!), shard, type: 'audit' });
      expect(line.prevHash).toBe(previous);
      expect(eventHash(line)).toBe(line.hash);
      previous = line.hash;
      events.push(line);
    }
    if (checkpoint) expect(checkpoint).toMatchObject({ shard, seq: Number(to), hash: previous, sk: keys.auditCheckpoint(shard!, Number(to)).sk });
    lastHash.set(shard!, previous);
    lastSeq.set(shard!, Number(to));
  }
  return events;
}

const sign = () => signCheckpoints(stack.deps);
const archiveNow = (options: Parameters<typeof archiveAuditLog>[1] = {}, to: AuditArchive = archive) => archiveAuditLog({ db: db(), archive: to }, options);
const count = (run: ArchiveRun) => run.archived.reduce((n, r) => n + r.toSeq - r.fromSeq + 1, 0);

beforeAll(async () => {
  [stack, s3] = await Promise.all([startLocalStack(), startS3Local(BUCKET, ['http://127.0.0.1:5173'])]);
  client = s3Client({ s3: s3.endpoint });
  archive = new S3AuditArchive(client, BUCKET);
});
afterAll(async () => {
  await stack?.stop();
  await s3?.stop();
});

describe('archiveAuditLog', () => {
  it('archives nothing before any checkpoint', async () => {
    await write(40);
    expect(await archiveNow()).toEqual({ archived: [], stopped: [] });
    expect(await objectKeys()).toEqual([]);
  });

  it('archives every checkpointed event once, as JSON Lines that still verify, and moves each cursor to its chain head', async () => {
    await sign();
    const run = await archiveNow();
    expect(run.stopped).toEqual([]);
    expect(count(run)).toBe(40);
    const events = await checkArchive();
    expect(events).toHaveLength(40);
    expect(new Set(events.map((e) => e.requestId)).size).toBe(40);
    for (const shard of auditShards) {
      const head = await readChainHead(db(), shard);
      expect(await readArchiveCursor(db(), shard)).toEqual({ shard, seq: head.seq, hash: head.hash });
    }
  });

  it('stores each line exactly as the item is stored in DynamoDB', async () => {
    const [key] = await objectKeys();
    const [first] = await readLines(key!);
    const stored = await db().doc.send(new GetCommand({ TableName: stack.table, Key: { pk: first!.pk, sk: first!.sk }, ConsistentRead: true }));
    expect(first).toEqual(stored.Item);
  });

  it('archives nothing again when nothing new was signed, and only the new events after', async () => {
    expect(await archiveNow()).toEqual({ archived: [], stopped: [] });
    await write(25);
    expect(count(await archiveNow())).toBe(0); // written, not yet checkpointed
    await sign();
    const before = new Map(await Promise.all(auditShards.map(async (s) => [s, (await readArchiveCursor(db(), s)).seq] as const)));
    const run = await archiveNow();
    expect(count(run)).toBe(25);
    // Each chain's new range starts right after what was archived before (seq 1 only for a chain
    // that had no event in the first 40).
    for (const range of run.archived) expect(range.fromSeq).toBe(before.get(range.shard)! + 1);
    expect(run.archived.some((range) => range.fromSeq > 1)).toBe(true);
    expect(await checkArchive()).toHaveLength(65);
  });

  it('splits a long range into objects of at most maxEventsPerObject, the checkpoint with the last', async () => {
    await write(48);
    await sign();
    const run = await archiveNow({ maxEventsPerObject: 2 });
    expect(count(run)).toBe(48);
    for (const range of run.archived) expect(range.toSeq - range.fromSeq).toBeLessThan(2);
    expect(await checkArchive()).toHaveLength(113);
  });

  it('lets concurrent runs archive every range exactly once: no overlap, no gap', async () => {
    await write(60);
    await sign();
    const runs = await Promise.all(Array.from({ length: 6 }, () => archiveNow({ maxEventsPerObject: 3 })));
    expect(runs.reduce((n, run) => n + count(run), 0)).toBe(60);
    for (const run of runs) for (const stop of run.stopped) expect(stop.reason).toBe('cursorMoved');
    // The runs did race: some found a cursor another had moved.
    expect(runs.some((run) => run.stopped.length > 0)).toBe(true);
    const ranges = runs.flatMap((run) => run.archived.map((r) => r.key));
    expect(new Set(ranges).size).toBe(ranges.length);
    // checkArchive fails on any overlap or gap between consecutive objects of a chain.
    expect(await checkArchive()).toHaveLength(173);
  });

  it('after a crash between the put and the cursor update, a re-run puts the same key with the same bytes and moves on', async () => {
    await write(20);
    await sign();
    const puts: { key: string; body: string }[] = [];
    const crashing: AuditArchive = {
      put: async (key, body) => {
        await archive.put(key, body);
        puts.push({ key, body: Buffer.from(body).toString() });
        throw new Error('crash after the put');
      },
    };
    await expect(archiveNow({}, crashing)).rejects.toThrow('crash after the put');
    const [crashed] = puts as [{ key: string; body: string }];
    const shard = /^audit\/(\d+)\//.exec(crashed.key)![1]!;
    expect((await readArchiveCursor(db(), shard)).pending).toBeDefined();

    const recording: AuditArchive = {
      put: async (key, body) => {
        puts.push({ key, body: Buffer.from(body).toString() });
        await archive.put(key, body);
      },
    };
    const run = await archiveNow({}, recording);
    expect(puts[1]).toEqual(crashed);
    expect(count(run)).toBe(20);
    expect((await readArchiveCursor(db(), shard)).pending).toBeUndefined();
    expect(await checkArchive()).toHaveLength(193);
  });

  it('refuses to archive a range whose stored events no longer form the chain, and archives it once restored', async () => {
    await write(16);
    await sign();
    // A chain with new signed events: its last one is in the range the next run claims.
    let head: Awaited<ReturnType<typeof readChainHead>> | undefined;
    let cursor: Awaited<ReturnType<typeof readArchiveCursor>> | undefined;
    for (const shard of auditShards) {
      [head, cursor] = await Promise.all([readChainHead(db(), shard), readArchiveCursor(db(), shard)]);
      if (head.seq > cursor.seq) break;
    }
    if (!head || !cursor || head.seq <= cursor.seq) throw new Error('no chain grew');
    const key = keys.auditEvent(head.shard, head.seq);
    const original = (await db().doc.send(new GetCommand({ TableName: stack.table, Key: key, ConsistentRead: true }))).Item!;
    await db().doc.send(new PutCommand({ TableName: stack.table, Item: { ...original, status: 500 } }));
    let run: ArchiveRun;
    try {
      run = await archiveNow({ shards: [head.shard] });
    } finally {
      await db().doc.send(new PutCommand({ TableName: stack.table, Item: original }));
    }
    expect(run.archived).toEqual([]);
    expect(run.stopped).toEqual([{ shard: head.shard, reason: 'chainMismatch' }]);
    // The claim stays, for the same range: nothing of it was archived.
    expect((await readArchiveCursor(db(), head.shard)).pending).toMatchObject({ fromSeq: cursor.seq + 1, toSeq: head.seq });
    expect((await readArchiveCursor(db(), head.shard)).seq).toBe(cursor.seq);
    expect(count(await archiveNow())).toBe(16);
    expect(await checkArchive()).toHaveLength(209);
  });

  it('leaves the chains verifying: the cursors live outside the AUDIT# partitions', async () => {
    const report = await verifyAuditLog(stack.deps);
    expect(report.findings).toEqual([]);
  });
});

describe("the audit job's handler", () => {
  it('signs, then archives the chains that verified, and skips the one that did not', async () => {
    await write(30);
    const logged: { level: string; message: string }[] = [];
    const logger = { info: (message: string) => logged.push({ level: 'info', message }), error: (message: string) => logged.push({ level: 'error', message }) };
    const handler = checkpointHandler(() => ({ ...stack.deps, archive, logger }));
    const heads = await Promise.all(auditShards.map((s) => readChainHead(db(), s)));
    const grown = [];
    for (const h of heads) if (h.seq > (await readArchiveCursor(db(), h.shard)).seq) grown.push(h);
    const [bad] = grown as [(typeof heads)[number]];
    const key = keys.auditEvent(bad.shard, bad.seq);
    const original = (await db().doc.send(new GetCommand({ TableName: stack.table, Key: key, ConsistentRead: true }))).Item!;
    await db().doc.send(new PutCommand({ TableName: stack.table, Item: { ...original, status: 418 } }));
    let run;
    try {
      run = await handler();
    } finally {
      await db().doc.send(new PutCommand({ TableName: stack.table, Item: original }));
    }
    expect(run.refused.map((r) => r.shard)).toEqual([bad.shard]);
    expect(run.archive!.archived.map((r) => r.shard)).not.toContain(bad.shard);
    expect(run.archive!.archived.length).toBe(grown.length - 1);
    expect(logged.map((l) => l.message)).toContain('audit events archived');

    const again = await handler();
    expect(again.archive!.archived.map((r) => r.shard)).toEqual([bad.shard]);
    expect(await checkArchive()).toHaveLength(239);
  });

  it('skips archiving when it has no archive (archiving off)', async () => {
    const logger = { info: () => undefined, error: () => undefined };
    const run = await checkpointHandler(() => ({ ...stack.deps, logger }))();
    expect(run.archive).toBeUndefined();
  });
});

describe('the local stack', () => {
  it("runs the audit job into its archive directory (npm start's timer runs the same)", async () => {
    await write(12);
    const run = await stack.auditJob();
    expect(run.refused).toEqual([]);
    expect(count(run.archive!)).toBe(12);
    for (const range of run.archive!.archived) {
      const [current, ...older] = (await stack.auditArchive.versions(range.key)).reverse();
      expect(older).toEqual([]);
      const lines = new TextDecoder().decode(current).trimEnd().split('\n').map((line) => JSON.parse(line) as Item);
      const events = lines.filter((line) => line.type === 'audit');
      expect(events.map((e) => e.seq)).toEqual(Array.from({ length: range.toSeq - range.fromSeq + 1 }, (_, i) => range.fromSeq + i));
      for (const e of events) expect(eventHash(e)).toBe(e.hash);
      expect(lines.at(-1)).toMatchObject({ type: 'auditCheckpoint', seq: range.toSeq });
    }
  });
});
